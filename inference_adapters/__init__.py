"""Inference adapters: Textract, Rekognition and custom-model adapters that start loops from model output, consolidation of answers (`quality`), and the active-learning demo.

A top layer beside the portal (docs/architecture.md). Their HTTP operations (`api`) are
served by the one AWS entry point; consolidation runs from the after-output hook it
registers with flows. The activation conditions themselves belong to the flow definition
(flows.definitions.conditions, flows.definitions.activation).
"""
