"""The AWS operations of workforce: work teams and workforces (SageMaker JSON 1.1) and the STS subset (query protocol).

Handlers parse, call a workforce service and render; they register with hitl.aws.registry.
"""
