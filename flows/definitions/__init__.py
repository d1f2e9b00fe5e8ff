"""Flow definitions: what a customer configures before any loop starts.

Flow definitions and task UIs (create, describe, list, delete: `services`), their versions
(`versions`) and the one edit function every surface calls (`editing`), the checks a task
template must pass (`templates`, which the portal registers into), human-loop
activation conditions (`conditions`, and `activation` for the built-in Textract and
Rekognition task types) and the agent-review policy read from tags (`agent_policy`). Loops
and delivery read definitions; definitions never start or deliver a loop.
"""
