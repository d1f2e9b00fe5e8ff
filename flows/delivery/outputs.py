"""output.json: where it goes, what it holds, and writing it to the output store.

Layout (spec 7.1): {S3OutputPath}/{flow}/{YYYY/MM/DD/hh/mm/ss of CreationTime}/{loop}/output.json
The document is built only from stored rows, so building it twice gives the
same bytes: a retried write puts the same object at the same key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flows.definitions import versions
from flows.delivery.storage import get_store
from flows.models import FlowDefinition, HumanLoop, ReviewTask
from hitl.kernel import arns

_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<prefix>.*)$")
_HTTPS_PATH_STYLE = re.compile(r"^https://s3[.a-z0-9-]*\.amazonaws\.com/(?P<bucket>[^/]+)/?(?P<prefix>.*)$")
_HTTPS_VIRTUAL = re.compile(r"^https://(?P<bucket>[^./]+)\.s3[.a-z0-9-]*\.amazonaws\.com/?(?P<prefix>.*)$")
_HTTPS_ANY = re.compile(r"^https://(?P<host>[^/]+)/(?P<bucket>[^/]+)/?(?P<prefix>.*)$")


def split_s3_path(path: str) -> tuple[str, str]:
    """Return (bucket, prefix without slashes at either end) of an s3:// or https:// S3 URI."""
    for pattern in (_S3_URI, _HTTPS_VIRTUAL, _HTTPS_PATH_STYLE, _HTTPS_ANY):
        match = pattern.match(path)
        if match:
            return match["bucket"], match["prefix"].strip("/")
    raise ValueError(f"{path!r} is not an S3 URI (s3://bucket/prefix or https://...)")


# S3's bucket naming rules (general purpose buckets), as CreateBucket enforces them.
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# What output_location appends: /{flow (63)}/{YYYY/MM/DD/hh/mm/ss}/{loop (63)}/output.json
MAX_OUTPUT_PREFIX_BYTES = 1024 - (1 + 63 + 1 + 19 + 1 + 63 + 1 + len("output.json"))


def output_path_problem(path: str) -> str | None:
    """Return why `path` cannot hold output.json objects (S3's bucket and key rules), or None."""
    try:
        bucket, prefix = split_s3_path(path)
    except ValueError:
        return "it is not an S3 URI: write s3://bucket/prefix"
    if not _BUCKET_NAME.match(bucket) or ".." in bucket or _IP_ADDRESS.match(bucket):
        return (
            f"'{bucket[:70]}' is not a valid S3 bucket name: bucket names are 3 to 63 lowercase letters, digits, "
            "dots and hyphens, begin and end with a letter or digit, have no two dots in a row and are not "
            "an IP address"
        )
    if bucket.startswith(_RESERVED_BUCKET_PREFIXES) or bucket.endswith(_RESERVED_BUCKET_SUFFIXES):
        return f"'{bucket}' uses a prefix or suffix S3 reserves for its own bucket types"
    segments = prefix.split("/") if prefix else []
    if any(segment in (".", "..") for segment in segments):
        return "the key prefix has a '.' or '..' segment, which S3 clients and local stores resolve differently"
    if len(prefix.encode("utf-8")) > MAX_OUTPUT_PREFIX_BYTES:
        return f"the key prefix is longer than {MAX_OUTPUT_PREFIX_BYTES} bytes, so output keys would exceed S3's 1024"
    return None


def output_location(loop: HumanLoop) -> tuple[str, str]:
    """Return (bucket, key) of the loop's output.json, under the output path of the loop's pinned flow version."""
    flow = loop.flow_definition
    bucket, prefix = split_s3_path(versions.pinned_settings(loop)["s3_output_path"])
    stamp = loop.created_at.strftime("%Y/%m/%d/%H/%M/%S")
    key = f"{flow.name}/{stamp}/{loop.name}/output.json"
    return bucket, f"{prefix}/{key}" if prefix else key


def output_uri(loop: HumanLoop) -> str:
    """Return the s3:// URI of the loop's output.json: known from the start, as A2I reports it."""
    bucket, key = output_location(loop)
    return f"s3://{bucket}/{key}"


def iso_millis(value: Any) -> str:
    """Format a datetime as YYYY-MM-DDTHH:MM:SS.mmmZ (UTC)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def flow_arn(flow: FlowDefinition) -> str:
    return arns.build("flow-definition", flow.account.aws_account_id, flow.name)


def build_output_document(
    loop: HumanLoop, answers: list[ReviewTask], *, timeout: dict[str, Any] | None = None
) -> bytes:
    """Return the output.json bytes for `loop` with its submitted `answers` (in submission order).

    A loop that timed out at its deadline (flows.definitions.deadlines) also gets `hitlTimeout`: the action, the
    deadline and the reason, beside the answers that came in before it.
    """
    flow = loop.flow_definition
    document: dict[str, Any] = {
        "flowDefinitionArn": flow_arn(flow),
        "humanAnswers": [_human_answer(task) for task in answers],
        "humanLoopName": loop.name,
        "inputContent": loop.input_json,
    }
    if flow.request_source:
        document["awsManagedHumanLoopRequestSource"] = flow.request_source
    if loop.activation_output:
        document["humanLoopActivationOutput"] = loop.activation_output
    # hitl's extra members (issue 17): the versions and template hash the loop ran with.
    document.update(versions.output_fields(loop))
    if timeout is not None:
        document["hitlTimeout"] = timeout
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _human_answer(task: ReviewTask) -> dict[str, Any]:
    worker = task.worker.worker
    identity = {"identityProviderType": worker.identity_provider_type, "sub": worker.sub or str(task.worker.pk)}
    if worker.issuer:
        identity["issuer"] = worker.issuer
    return {
        "acceptanceTime": iso_millis(task.accepted_at),
        "answerContent": task.answer,
        "submissionTime": iso_millis(task.submitted_at),
        "timeSpentInSeconds": task.time_spent_seconds,
        "workerId": worker.worker_id,
        "workerMetadata": {"identityData": identity},
    }


def write_output(bucket: str, key: str, document: bytes, *, kms_key_id: str = "") -> str:
    """Put the document in the output store and return its s3:// URI."""
    get_store().put(bucket, key, document, content_type="application/json", kms_key_id=kms_key_id)
    return f"s3://{bucket}/{key}"


# Work that runs after a loop's output.json is written and before the loop takes its final status
# (consolidation: inference_adapters registers it in its AppConfig.ready). Each hook gets the bucket,
# the output key, the document's bytes, the flow's KMS key id and the flow; it must be idempotent (finalize_loop
# may run again after a crash) and should not raise for odd answers.
AfterOutputHook = Callable[..., object]
AFTER_OUTPUT_HOOKS: list[AfterOutputHook] = []


def register_after_output_hook(hook: AfterOutputHook) -> None:
    """Run `hook(bucket, key, document, kms_key_id=..., flow=...)` after every output.json is written."""
    if hook not in AFTER_OUTPUT_HOOKS:
        AFTER_OUTPUT_HOOKS.append(hook)


def run_after_output_hooks(
    bucket: str, key: str, document: bytes, *, kms_key_id: str, flow: FlowDefinition | None = None
) -> None:
    for hook in AFTER_OUTPUT_HOOKS:
        hook(bucket, key, document, kms_key_id=kms_key_id, flow=flow)
