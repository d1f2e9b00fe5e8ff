"""SigV4 verification: the spec 2.3 test vector and the failure modes, without a network."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import RequestFactory

from hitl.aws import sigv4
from hitl.aws.errors import AwsError
from hitl.kernel import clock, process_cache
from tests import factories as f
from workforce import secrets as secret_box
from workforce.access_keys import revoke_access_key
from workforce.models import AccessKey

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BODY = b'{"FlowDefinitionName": "my-flow"}'
AMZ_DATE = "20240102T030405Z"
VECTOR_SIGNATURE = "2ee21cda126509db749ae66f5a1e5573ff66dc220a94e9b7e8da67aec78df5db"
VECTOR_CANONICAL = "\n".join(
    [
        "POST",
        "/",
        "",
        "content-type:application/x-amz-json-1.1",
        "host:localhost:8000",
        "x-amz-date:20240102T030405Z",
        "x-amz-target:SageMaker.DescribeFlowDefinition",
        "",
        "content-type;host;x-amz-date;x-amz-target",
        "4f50988712bf79a081aba169069dc187377524e7e2b8caf9ce487ef2e36f4f39",
    ]
)
SIGNED = "content-type;host;x-amz-date;x-amz-target"


def vector_request(*, signature: str = VECTOR_SIGNATURE, key_id: str = "AKIDEXAMPLE", **headers: str):
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={key_id}/20240102/us-east-1/sagemaker/aws4_request, "
        f"SignedHeaders={SIGNED}, Signature={signature}"
    )
    meta = {
        "HTTP_HOST": "localhost:8000",
        "HTTP_X_AMZ_DATE": AMZ_DATE,
        "HTTP_X_AMZ_TARGET": "SageMaker.DescribeFlowDefinition",
        "HTTP_AUTHORIZATION": authorization,
    }
    meta.update(headers)
    return RequestFactory().post("/", data=BODY, content_type="application/x-amz-json-1.1", **meta)


@pytest.fixture
def example_key(db) -> AccessKey:
    return AccessKey.objects.create(
        access_key_id="AKIDEXAMPLE", encrypted_secret=secret_box.encrypt(SECRET), account=f.account()
    )


@pytest.fixture
def at_vector_time():
    clock.set_now(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC))


def test_the_spec_test_vector_canonical_request_string_to_sign_and_signature():
    headers = {
        "content-type": "application/x-amz-json-1.1",
        "host": "localhost:8000",
        "x-amz-date": AMZ_DATE,
        "x-amz-target": "SageMaker.DescribeFlowDefinition",
    }
    canonical = sigv4.canonical_request("POST", "/", "", headers, SIGNED.split(";"), hashlib.sha256(BODY).hexdigest())
    assert canonical == VECTOR_CANONICAL
    to_sign = sigv4.string_to_sign(AMZ_DATE, "20240102/us-east-1/sagemaker/aws4_request", canonical)
    assert to_sign.endswith("\n7d2ae49e1b83fafc304ac1774931d876693a04d474792a0f25d87377ff3e434a")
    assert sigv4.signature(SECRET, "20240102", "us-east-1", "sagemaker", to_sign) == VECTOR_SIGNATURE


def test_the_spec_test_vector_request_authenticates_and_records_last_use(example_key, at_vector_time):
    key = sigv4.authenticate(vector_request())

    assert key.access_key_id == "AKIDEXAMPLE"
    example_key.refresh_from_db()
    assert example_key.last_used_at == clock.now()


def test_last_use_is_written_at_most_once_a_minute(example_key, at_vector_time, django_assert_num_queries):
    sigv4.authenticate(vector_request())
    with django_assert_num_queries(0):  # the key is cached per process (access_keys.active_key), and no UPDATE
        sigv4.authenticate(vector_request())


def auth_error(request) -> AwsError:
    with pytest.raises(AwsError) as info:
        sigv4.authenticate(request)
    return info.value


def test_a_wrong_signature_is_an_invalid_signature(example_key, at_vector_time):
    error = auth_error(vector_request(signature="0" * 64))
    assert error.code == "InvalidSignatureException"
    assert error.statuses == {"runtime": 403, "control-plane": 400}
    assert "does not match" in error.message


def test_a_tampered_body_or_header_changes_the_signature(example_key, at_vector_time):
    request = vector_request(HTTP_X_AMZ_TARGET="SageMaker.DeleteFlowDefinition")
    assert auth_error(request).code == "InvalidSignatureException"


def test_a_declared_payload_hash_must_match_the_body(example_key, at_vector_time):
    request = vector_request(
        HTTP_X_AMZ_CONTENT_SHA256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert "x-amz-content-sha256" in auth_error(request).message


def test_an_unknown_or_revoked_key_is_unrecognized(example_key, at_vector_time):
    assert auth_error(vector_request(key_id="AKIDUNKNOWN")).code == "UnrecognizedClientException"
    revoke_access_key(example_key)
    assert auth_error(vector_request()).code == "UnrecognizedClientException"


def test_revoking_a_cached_key_takes_effect_at_once_in_this_process(example_key, at_vector_time):
    assert sigv4.authenticate(vector_request()) == example_key  # now in the per-process key cache
    revoke_access_key(example_key)
    assert auth_error(vector_request()).code == "UnrecognizedClientException"


def test_a_key_deactivated_behind_the_cache_stops_working_within_its_ttl(
    example_key, at_vector_time, monkeypatch, settings
):
    now = [1000.0]
    monkeypatch.setattr(process_cache.time, "monotonic", lambda: now[0])
    sigv4.authenticate(vector_request())
    # As another web process sees a revocation: the database changes, this process's cache does not.
    AccessKey.objects.filter(id=example_key.id).update(is_active=False)
    now[0] += settings.HITL_PROCESS_CACHE_SECONDS - 0.5
    assert sigv4.authenticate(vector_request()).access_key_id == "AKIDEXAMPLE"
    now[0] += 1
    assert auth_error(vector_request()).code == "UnrecognizedClientException"


@pytest.mark.parametrize(
    ("offset_seconds", "message"),
    [
        (
            15 * 60 + 1,
            "Signature expired: 20240102T030405Z is now earlier than 20240102T030406Z (20240102T031906Z - 15 min.)",
        ),
        (
            -(15 * 60 + 1),
            "Signature not yet current: 20240102T030405Z is still later than 20240102T030404Z "
            "(20240102T024904Z + 15 min.)",
        ),
    ],
)
def test_a_request_outside_the_clock_skew_is_rejected_with_the_aws_message(example_key, offset_seconds, message):
    clock.set_now(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC) + dt.timedelta(seconds=offset_seconds))
    error = auth_error(vector_request())
    assert (error.code, error.message) == ("InvalidSignatureException", message)


def test_a_request_within_the_skew_is_accepted(example_key):
    clock.set_now(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC) + dt.timedelta(minutes=14))
    assert sigv4.authenticate(vector_request()).access_key_id == "AKIDEXAMPLE"


def test_a_missing_authorization_header_is_a_missing_token():
    request = RequestFactory().get("/human-loops")
    error = auth_error(request)
    assert error.code == "MissingAuthenticationTokenException"
    assert error.statuses["runtime"] == 403


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/sagemaker/aws4_request, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1, SignedHeaders=host, Signature=abc",
    ],
)
def test_a_malformed_authorization_header_is_an_incomplete_signature(authorization):
    request = RequestFactory().get("/human-loops", HTTP_AUTHORIZATION=authorization, HTTP_X_AMZ_DATE=AMZ_DATE)
    assert auth_error(request).code == "IncompleteSignatureException"


def test_a_missing_date_is_an_incomplete_signature():
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/sagemaker/aws4_request, "
        "SignedHeaders=host, Signature=abc"
    )
    request = RequestFactory().get("/human-loops", HTTP_AUTHORIZATION=authorization)
    assert "X-Amz-Date" in auth_error(request).message


@pytest.mark.parametrize(
    ("credential", "fragment"),
    [
        ("AKIDEXAMPLE/20240102/eu-west-1/sagemaker/aws4_request", "valid region"),
        ("AKIDEXAMPLE/20240102/us-east-1/s3/aws4_request", "correct service"),
        ("AKIDEXAMPLE/20240102/us-east-1/sagemaker/aws5_request", "valid terminator"),
        ("AKIDEXAMPLE/20240101/us-east-1/sagemaker/aws4_request", "Date in Credential scope"),
    ],
)
def test_a_wrong_credential_scope_is_an_invalid_signature(example_key, at_vector_time, credential, fragment):
    authorization = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={SIGNED}, Signature={VECTOR_SIGNATURE}"
    error = auth_error(vector_request(HTTP_AUTHORIZATION=authorization))
    assert error.code == "InvalidSignatureException"
    assert fragment in error.message


def test_host_must_be_signed(example_key, at_vector_time):
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/sagemaker/aws4_request, "
        f"SignedHeaders=content-type;x-amz-date, Signature={VECTOR_SIGNATURE}"
    )
    error = auth_error(vector_request(HTTP_AUTHORIZATION=authorization))
    assert (error.code, error.message) == (
        "IncompleteSignatureException",
        "'host' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_canonical_uri_keeps_the_prefix_and_encodes_the_wire_path_once_more():
    assert sigv4.canonical_uri("/a2i/human-loops/loop-1") == "/a2i/human-loops/loop-1"
    assert sigv4.canonical_uri("/a2i/human-loops/a%20b") == "/a2i/human-loops/a%2520b"
    assert sigv4.canonical_uri("") == "/"
    assert sigv4.canonical_uri("/a2i") == "/a2i"


def test_canonical_query_decodes_reencodes_and_sorts():
    query = "SortOrder=Ascending&FlowDefinitionArn=arn%3Aaws%3Asagemaker&MaxResults=1&CreationTimeAfter=2024-01-02T03%3A04%3A05Z"
    assert sigv4.canonical_query(query) == (
        "CreationTimeAfter=2024-01-02T03%3A04%3A05Z&FlowDefinitionArn=arn%3Aaws%3Asagemaker&MaxResults=1&SortOrder=Ascending"
    )
    assert sigv4.canonical_query("b=a b&a=x~y*") == "a=x~y%2A&b=a%20b"
    assert sigv4.canonical_query("") == ""


def test_raw_path_prefers_the_servers_raw_uri():
    request = RequestFactory().get("/human-loops/x")
    request.META["RAW_URI"] = "/a2i/human-loops/x?MaxResults=1"
    assert sigv4.raw_path(request) == "/a2i/human-loops/x"


def test_a_body_over_the_upload_limit_is_a_validation_error_not_an_html_400(settings, example_key, at_vector_time):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    error = auth_error(vector_request())

    assert error.code == "ValidationException"
    assert "larger than 10 bytes" in error.message
