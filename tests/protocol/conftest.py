"""Fixtures for the wire-compatibility suite: real boto3 clients against `live_server`.

Every client is signed with a key minted by the `create_access_key` management
command (its two output lines are the contract), so these tests prove what a
customer's unmodified boto3 code sees.

    def test_x(runtime_client, flow_setup):
        runtime_client.start_human_loop(HumanLoopName="a", FlowDefinitionArn=flow_setup.flow_arn, ...)

`make_clients("other")` gives a second tenant with its own clients. A test that
moves hitl.kernel.clock by more than the SigV4 skew (15 min) must also request
`signing_follows_clock`, so boto3 signs with the moved time.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import call_command

from flows.models import FlowDefinition, HumanTaskUi
from tests import factories as f
from workforce.models import AccessKey, Account, Workteam

REGION = "us-east-1"
_usernames = itertools.count(1)


@dataclass
class AwsAccount:
    """A tenant, the user its key belongs to, and that key's credentials."""

    account: Account
    user: AbstractBaseUser
    access_key_id: str
    secret_access_key: str
    endpoint_url: str

    @property
    def access_key(self) -> AccessKey:
        return AccessKey.objects.get(access_key_id=self.access_key_id)

    def client(self, service: str, **overrides: Any):
        """Return a boto3 client for `service` signed with this account's key (overrides win)."""
        kwargs: dict[str, Any] = {
            "endpoint_url": self.endpoint_url,
            "region_name": REGION,
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "config": Config(retries={"max_attempts": 1}),
        }
        kwargs.update(overrides)
        return boto3.client(service, **kwargs)

    @property
    def runtime(self):
        return self.client("sagemaker-a2i-runtime")

    @property
    def sagemaker(self):
        return self.client("sagemaker")


@dataclass
class FlowSetup:
    """A ready flow definition (with its workforce, team, UI and one reviewer) for an account."""

    account: Account
    reviewer: AbstractBaseUser
    workteam: Workteam
    human_task_ui: HumanTaskUi
    flow: FlowDefinition

    @property
    def flow_arn(self) -> str:
        return f.flow_arn(self.flow)


def create_key_with_command(username: str, account_name: str) -> tuple[str, str]:
    """Run `create_access_key USERNAME --create-user --account NAME` and parse its two lines."""
    out = io.StringIO()
    call_command("create_access_key", username, "--create-user", "--account", account_name, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    key_line, secret_line = lines
    assert key_line.startswith("aws_access_key_id = "), key_line
    assert secret_line.startswith("aws_secret_access_key = "), secret_line
    return key_line.split(" = ", 1)[1], secret_line.split(" = ", 1)[1]


@pytest.fixture
def make_account(live_server, transactional_db):
    """Factory: make_account("name") -> AwsAccount with a fresh key from the management command."""

    def make(account_name: str, username: str | None = None) -> AwsAccount:
        username = username or f"api-user-{next(_usernames)}"
        key_id, secret = create_key_with_command(username, account_name)
        key = AccessKey.objects.select_related("account", "user").get(access_key_id=key_id)
        return AwsAccount(
            account=key.account,
            user=key.user,
            access_key_id=key_id,
            secret_access_key=secret,
            endpoint_url=live_server.url,
        )

    return make


@pytest.fixture
def make_clients(make_account):
    """Factory: make_clients("other-tenant") -> AwsAccount whose .runtime / .sagemaker are boto3 clients."""
    return make_account


@pytest.fixture
def aws_account(make_account) -> AwsAccount:
    """The main tenant of a protocol test."""
    return make_account("acme")


@pytest.fixture
def runtime_client(aws_account):
    """boto3 `sagemaker-a2i-runtime` client for aws_account."""
    return aws_account.runtime


@pytest.fixture
def sagemaker_client(aws_account):
    """boto3 `sagemaker` (control plane) client for aws_account."""
    return aws_account.sagemaker


@pytest.fixture
def signing_follows_clock(monkeypatch):
    """Make boto3 sign with hitl.kernel.clock, so a test can move server time far without tripping the skew check."""
    import botocore.auth

    from hitl.kernel import clock

    monkeypatch.setattr(
        botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: clock.now().replace(tzinfo=None)
    )


@pytest.fixture
def make_flow_setup():
    """Factory: make_flow_setup(account, **flow_overrides) -> FlowSetup built directly from tests/factories."""

    def make(account: Account, **flow_overrides: Any) -> FlowSetup:
        reviewer = f.user()
        team = Workteam.objects.filter(account=account).first() or f.workteam(account, members=[reviewer])
        if not team.members.filter(pk=reviewer.pk).exists():
            team.members.add(reviewer)
        ui = f.human_task_ui(account)
        flow = f.flow_definition(account, team, ui, **flow_overrides)
        return FlowSetup(account=account, reviewer=reviewer, workteam=team, human_task_ui=ui, flow=flow)

    return make


@pytest.fixture
def flow_setup(aws_account, make_flow_setup) -> FlowSetup:
    """A flow definition (TaskCount 1) of aws_account, ready for StartHumanLoop."""
    return make_flow_setup(aws_account.account)


def loop_input(**members: Any) -> dict[str, str]:
    """Return a HumanLoopInput structure whose InputContent is `members` as JSON."""
    return {"InputContent": json.dumps(members or {"taskObject": "The parcel arrived late."})}


def start_loop(runtime_client, flow_arn: str, name: str, **members: Any) -> str:
    """Start loop `name` on `flow_arn` through boto3 and return its ARN."""
    response = runtime_client.start_human_loop(
        HumanLoopName=name, FlowDefinitionArn=flow_arn, HumanLoopInput=loop_input(**members)
    )
    return response["HumanLoopArn"]


# --- Other real clients: the AWS CLI (v1, from the test group) and the AWS SDK for JavaScript v3 ---------

JS_CLIENTS_SOURCE = Path(__file__).parent / "js"


@dataclass
class CliResult:
    """One `aws` run: exit code, parsed JSON output (or None) and stderr."""

    returncode: int
    output: Any
    stderr: str


@pytest.fixture
def aws_cli(tmp_path):
    """Run the AWS CLI: aws_cli(account, "sagemaker-a2i-runtime", "list-human-loops", ..., env={...}) -> CliResult."""
    executable = Path(sys.executable).with_name("aws")
    if not executable.exists():
        pytest.fail(f"The AWS CLI is not installed at {executable}: install the test group (awscli in pyproject.toml).")

    def run(account: AwsAccount, *args: str, env: dict[str, str] | None = None, with_keys: bool = True) -> CliResult:
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": account.endpoint_url,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }
        if with_keys:
            environment["AWS_ACCESS_KEY_ID"] = account.access_key_id
            environment["AWS_SECRET_ACCESS_KEY"] = account.secret_access_key
        environment.update(env or {})
        done = subprocess.run(
            [str(executable), *args, "--output", "json"], capture_output=True, text=True, env=environment, timeout=60
        )
        output = json.loads(done.stdout) if done.stdout.strip() else None
        return CliResult(done.returncode, output, done.stderr)

    return run


@pytest.fixture(scope="session")
def js_sdk_dir() -> Path:
    """Install the JS SDK clients of tests/protocol/js (npm ci) into var/js-clients/<lock hash>/, once per lock file."""
    lock = (JS_CLIENTS_SOURCE / "package-lock.json").read_bytes()
    target = Path(settings.BASE_DIR) / "var" / "js-clients" / hashlib.sha256(lock).hexdigest()[:16]
    marker = target / "node_modules" / ".hitl-installed"
    target.mkdir(parents=True, exist_ok=True)
    # make test runs the SQLite and PostgreSQL passes at once: the second waits for the first's install.
    with open(target / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(JS_CLIENTS_SOURCE / name, target / name)
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=target, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            if done.returncode != 0:
                pytest.fail(f"npm ci of the JS SDK clients failed in {target}:\n{done.stderr[-3000:]}")
            marker.touch()
        # The runner must sit beside node_modules: ES modules resolve packages from the importing file.
        # Rewritten only when it changed: the other pass may be running it.
        runner = (JS_CLIENTS_SOURCE / "run_calls.mjs").read_bytes()
        if not (target / "run_calls.mjs").exists() or (target / "run_calls.mjs").read_bytes() != runner:
            (target / "run_calls.mjs").write_bytes(runner)
    return target


@pytest.fixture
def js_sdk(js_sdk_dir):
    """Run calls with the JS SDK v3: js_sdk(account, [{"client": "runtime", "command": ..., "input": ...}]) -> results."""

    def run(account: AwsAccount, calls: list[dict[str, Any]], **credentials: str) -> list[dict[str, Any]]:
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "HITL_ENDPOINT": account.endpoint_url,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": credentials.get("access_key_id", account.access_key_id),
            "AWS_SECRET_ACCESS_KEY": credentials.get("secret_access_key", account.secret_access_key),
        }
        if credentials.get("session_token"):
            environment["AWS_SESSION_TOKEN"] = credentials["session_token"]
        done = subprocess.run(
            ["node", str(js_sdk_dir / "run_calls.mjs")],
            input=json.dumps(calls), capture_output=True, text=True, env=environment, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run
