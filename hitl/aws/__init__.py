"""The AWS wire layer: everything that makes hitl answer like AWS, and nothing of the domain.

SigV4 (header and presigned query), dispatch of JSON 1.1 (`X-Amz-Target`), rest-json and
STS query requests to the operations registered in `registry` (by the apps' `api/`
modules and `inference_adapters.api`), the error envelopes, shapes, pagination tokens and
validation helpers. One entry view (`views`) gives every operation authentication,
throttling, the audit record, the request id and error rendering. It reaches keys and the
audit trail only through `credentials`, which the workforce app registers; the
import-linter contracts (docs/architecture.md) forbid it any domain import.
"""
