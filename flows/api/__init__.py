"""The AWS operations of flows: the A2I runtime (`runtime`, rest-json) and the flow and task UI operations of the SageMaker API (`sagemaker`, JSON 1.1).

Each handler parses PascalCase input, calls one service and renders the output; they
register with hitl.aws.registry when the app is ready.
"""
