"""boto3 clients for the AI services: the only module that imports boto3 for Textract, Rekognition and SageMaker.

Tests stub these with botocore's Stubber. Clients use the standard AWS
environment (credentials, AWS_ENDPOINT_URL_*); proxy mode is on when
HITL_ADAPTER_PROXY is true (AWS itself is never called otherwise).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=60)


def proxy_enabled() -> bool:
    """Return True when adapters may call the real AI services themselves."""
    return settings.HITL_ADAPTER_PROXY


@cache
def client(service: str) -> Any:
    """Return the (cached) boto3 client for `service` in the server's region."""
    return boto3.client(service, region_name=settings.HITL_REGION, config=_CONFIG)


def _without_human_loop(request: dict[str, Any]) -> dict[str, Any]:
    # The real service would start a loop on AWS's A2I; this server runs the loop instead.
    return {key: value for key, value in request.items() if key != "HumanLoopConfig"}


def _strip_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def analyze_document(request: dict[str, Any]) -> dict[str, Any]:
    """Call Textract AnalyzeDocument with the SDK-form `request` (HumanLoopConfig removed)."""
    return _strip_metadata(client("textract").analyze_document(**_without_human_loop(request)))


def detect_moderation_labels(request: dict[str, Any]) -> dict[str, Any]:
    """Call Rekognition DetectModerationLabels with the SDK-form `request` (HumanLoopConfig removed)."""
    return _strip_metadata(client("rekognition").detect_moderation_labels(**_without_human_loop(request)))


def invoke_endpoint(endpoint_name: str, payload: Any, content_type: str = "application/json") -> Any:
    """Invoke a SageMaker endpoint with a JSON payload and return its parsed JSON answer."""
    response = client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint_name, ContentType=content_type, Accept="application/json", Body=json.dumps(payload)
    )
    return json.loads(response["Body"].read())
