"""Throttling per access key, request ids, JSON access logs, CSP and cookies on portal pages."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from hitl.kernel.jsonlog import JsonFormatter
from tests import factories as f
from workforce import access_keys
from workforce.models import AuditRecord


@pytest.mark.django_db(transaction=True)
def test_a_key_over_its_rate_gets_throttling_exception_and_other_keys_do_not(boto_client, settings):
    settings.HITL_THROTTLE_RATE = 0.01  # refills one token per 100 s: effectively none during the test
    settings.HITL_THROTTLE_BURST = 2
    acct = f.account()
    noisy = boto_client("sagemaker-a2i-runtime", access_keys.create_access_key(acct))
    quiet = boto_client("sagemaker", access_keys.create_access_key(acct))

    for _ in range(2):
        with pytest.raises(noisy.exceptions.ResourceNotFoundException):
            noisy.describe_human_loop(HumanLoopName="x")
    with pytest.raises(noisy.exceptions.ThrottlingException) as throttled:
        noisy.describe_human_loop(HumanLoopName="x")
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    with pytest.raises(ClientError) as control_plane:
        quiet.describe_workteam(WorkteamName="none")
    assert control_plane.value.response["Error"]["Code"] != "ThrottlingException"
    throttled_calls = AuditRecord.objects.filter(result="ThrottlingException", status_code=429)
    assert list(throttled_calls.values_list("operation", flat=True)) == ["DescribeHumanLoop"]


@pytest.mark.django_db(transaction=True)
def test_session_keys_spend_the_budget_of_their_long_term_key(live_server, settings):
    import boto3
    from botocore.config import Config

    settings.HITL_THROTTLE_RATE = 0.01
    settings.HITL_THROTTLE_BURST = 2
    parent = access_keys.create_access_key(f.account())
    sessions = [access_keys.create_session_key(parent.access_key, duration_seconds=900) for _ in range(3)]
    clients = [
        boto3.client(
            "sagemaker-a2i-runtime", endpoint_url=live_server.url, region_name="us-east-1",
            aws_access_key_id=s.access_key.access_key_id, aws_secret_access_key=s.secret_access_key,
            aws_session_token=s.session_token, config=Config(retries={"total_max_attempts": 1}),
        )
        for s in sessions
    ]  # fmt: skip

    for client in clients[:2]:  # the burst of 2, spent by two different sessions
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_human_loop(HumanLoopName="x")

    with pytest.raises(clients[2].exceptions.ThrottlingException):
        clients[2].describe_human_loop(HumanLoopName="x")


@pytest.mark.django_db
def test_no_throttling_by_default(settings):
    from hitl.kernel import throttling

    assert settings.HITL_THROTTLE_RATE == 0
    for _ in range(5000):
        throttling.check_rate("AKIAEVERYTHINGGOES")


@pytest.mark.django_db
def test_the_database_bucket_lets_the_burst_through_then_refills_at_the_rate(settings, monkeypatch):
    from hitl.kernel import throttling
    from hitl.kernel.coordination.models import ThrottleBucket
    from hitl.kernel.errors import Throttled

    settings.HITL_THROTTLE_RATE, settings.HITL_THROTTLE_BURST, settings.HITL_THROTTLE_REDIS_URL = 2, 3, ""
    now = [1_000_000.0]
    monkeypatch.setattr(throttling, "wall_clock", lambda: now[0])
    for _ in range(3):
        throttling.check_rate("AKIABURSTY")
    with pytest.raises(Throttled):
        throttling.check_rate("AKIABURSTY")
    throttling.check_rate("AKIAOTHERKEY")  # another key has its own bucket

    now[0] += 0.5  # one token back (2 per second)
    throttling.check_rate("AKIABURSTY")
    with pytest.raises(Throttled):
        throttling.check_rate("AKIABURSTY")
    now[0] += 60  # never more than the burst
    for _ in range(3):
        throttling.check_rate("AKIABURSTY")
    with pytest.raises(Throttled):
        throttling.check_rate("AKIABURSTY")
    assert ThrottleBucket.objects.get(key="hitl:throttle:AKIABURSTY").tokens == pytest.approx(0)


@pytest.mark.django_db
def test_with_redis_unreachable_the_database_bucket_takes_over_without_waiting(settings, monkeypatch):
    import time

    from hitl.kernel import throttling
    from hitl.kernel.coordination.models import ThrottleBucket
    from hitl.kernel.errors import Throttled

    settings.HITL_THROTTLE_RATE, settings.HITL_THROTTLE_BURST = 0.01, 2
    settings.HITL_THROTTLE_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    monkeypatch.setattr(throttling, "_redis_down_until", 0.0)
    began = time.monotonic()
    throttling.check_rate("AKIAREDISDOWN")
    throttling.check_rate("AKIAREDISDOWN")
    with pytest.raises(Throttled):
        throttling.check_rate("AKIAREDISDOWN")
    assert time.monotonic() - began < 1.0  # one failed connect, then no more tries for a while
    assert ThrottleBucket.objects.filter(key="hitl:throttle:AKIAREDISDOWN").exists()


@pytest.mark.django_db
def test_each_request_gets_an_id_in_the_response_and_a_json_access_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="hitl.access")

    response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-12345678")
    generated = client.get("/healthz")

    assert response["X-Request-Id"] == "trace-12345678"
    assert len(generated["X-Request-Id"]) == 36 and generated["X-Request-Id"] != "trace-12345678"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n")["X-Request-Id"] != "bad id\n"
    line = json.loads(JsonFormatter().format(caplog.records[0]))
    assert line["requestId"] == "trace-12345678"
    assert (line["method"], line["path"], line["status"], line["logger"]) == ("GET", "/healthz", 200, "hitl.access")
    assert isinstance(line["durationMs"], float)


@pytest.mark.django_db
def test_portal_pages_get_a_content_security_policy_and_api_answers_do_not(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'self'" in csp
    assert "Content-Security-Policy" not in client.get("/healthz")


def test_form_targets_join_form_action_as_origins_and_nothing_else(settings):
    from hitl.kernel.middleware import content_security_policy

    settings.HITL_CONTENT_SECURITY_POLICY = "default-src 'self'; form-action 'self'; base-uri 'self'"
    targets = [
        "https://IdP.example.com:8443/oauth2/authorize?x=1",
        "https://idp.example.com:8443/other",
        "http://b.test",
    ]
    assert content_security_policy(targets) == (
        "default-src 'self'; form-action 'self' http://b.test https://idp.example.com:8443; base-uri 'self'"
    )
    # Whatever would end the directive or add a source is skipped, not escaped.
    hostile = ["https://a.test;script-src *", "https://a.test x", "javascript:alert(1)", "https://a b.test", ""]
    assert content_security_policy(hostile) == settings.HITL_CONTENT_SECURITY_POLICY
    assert content_security_policy([]) == settings.HITL_CONTENT_SECURITY_POLICY
    # An operator's policy without form-action, or with form-action 'none', stays as written.
    for policy in ("default-src 'self'", "default-src 'self'; form-action 'none'"):
        settings.HITL_CONTENT_SECURITY_POLICY = policy
        assert content_security_policy(["https://idp.example.com/auth"]) == policy


def test_img_src_names_the_s3_stores_origin_and_nothing_wider(settings, monkeypatch):
    from hitl.kernel.middleware import content_security_policy

    settings.HITL_CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; form-action 'self'"
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://MinIO.internal:9000/")
    settings.HITL_OUTPUT_BACKEND = "local"  # objects come from this site
    assert content_security_policy() == settings.HITL_CONTENT_SECURITY_POLICY
    settings.HITL_OUTPUT_BACKEND = "s3"
    assert content_security_policy() == (
        "default-src 'self'; img-src 'self' data: http://minio.internal:9000; form-action 'self'"
    )
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://objects.example.com")  # boto3's endpoint for every service
    assert "img-src 'self' data: https://objects.example.com;" in content_security_policy()
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # AWS itself: presigned URLs are on the bucket's own host
    settings.HITL_REGION = "eu-west-1"
    assert "img-src 'self' data: https://*.s3.amazonaws.com https://*.s3.eu-west-1.amazonaws.com;" in (
        content_security_policy()
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://a.test;script-src *")  # nothing that adds a source
    assert content_security_policy() == settings.HITL_CONTENT_SECURITY_POLICY
    settings.HITL_CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'none'"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://minio.internal:9000")
    assert content_security_policy() == settings.HITL_CONTENT_SECURITY_POLICY


def test_cookies_are_secure_and_http_only_when_debug_is_off():
    code = "import hitl.settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    env = {**os.environ, "DJANGO_DEBUG": "false"}
    env.pop("HITL_SECURE_COOKIES", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "True"]
