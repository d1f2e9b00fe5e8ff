"""The confidence router: rules, audit sampling, idempotency per item and model version, three model kinds."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from flows.models import HumanLoop
from inference_adapters import clients
from inference_adapters.custom import (
    CallableModel,
    ConfidenceBand,
    FieldRule,
    HttpModel,
    LabelRule,
    Router,
    SageMakerModel,
)
from inference_adapters.models import RoutingDecision
from tests import factories as f


@pytest.fixture
def flow():
    acct = f.account()
    team = f.workteam(acct, members=[f.user()])
    return f.flow_definition(acct, team, name="invoices")


def _router(flow, model, **overrides):
    fields = {"rules": [ConfidenceBand(0.0, 0.8), LabelRule(("fraud",)), FieldRule("amount", ">", 50000)]}
    fields.update(overrides)
    return Router(account=flow.account, flow_definition_arn=f.flow_arn(flow), model=model, model_version="v1", **fields)


@pytest.mark.django_db
def test_each_rule_routes_to_humans_and_records_why(flow):
    answers = {
        "uncertain": {"label": "ok", "confidence": 0.55},
        "fraud": {"label": "fraud", "confidence": 0.99},
        "big": {"label": "ok", "confidence": 0.99},
        "fine": {"label": "ok", "confidence": 0.99},
    }
    router = _router(flow, CallableModel(lambda item: answers[item["id"]]))

    outcomes = {name: router.route(name, {"id": name, "amount": 90000 if name == "big" else 10}) for name in answers}

    assert {name: o.decision.reasons for name, o in outcomes.items()} == {
        "uncertain": ["ConfidenceBand"],
        "fraud": ["Label"],
        "big": ["BusinessField"],
        "fine": [],
    }
    assert outcomes["fine"].loop is None and outcomes["fine"].decision.route == "auto"
    loop = outcomes["big"].loop
    assert loop.activation_output["HumanLoopActivationReasons"] == ["BusinessField"]
    assert loop.activation_output["ModelPrediction"]["Label"] == "ok"
    assert loop.input_json == {
        "amount": 90000,
        "id": "big",
        "initialValue": "ok",
        "itemId": "big",
        "modelConfidence": 0.99,
    }
    results = json.loads(loop.activation_output["HumanLoopActivationConditionsEvaluationResults"])
    assert [r["EvaluationResult"] for r in results] == [False, False, True, False]
    assert HumanLoop.objects.count() == 3


@pytest.mark.django_db
def test_the_same_item_and_model_version_never_starts_two_loops(flow):
    calls = []
    router = _router(flow, CallableModel(lambda item: calls.append(item) or {"label": "ok", "confidence": 0.1}))

    first = router.route("item-1", {"x": 1})
    second = router.route("item-1", {"x": 1})

    assert first.decided_now and not second.decided_now
    assert second.loop.id == first.loop.id
    assert len(calls) == 1  # the recorded decision is reused; the model is not asked again
    assert HumanLoop.objects.count() == 1
    # A new model version is a new decision.
    v2 = Router(
        account=flow.account,
        flow_definition_arn=f.flow_arn(flow),
        model=router.model,
        model_version="v2",
        rules=router.rules,
    )
    assert v2.route("item-1", {"x": 1}).loop.id != first.loop.id


@pytest.mark.django_db
def test_the_unique_constraint_holds_even_without_the_lookup(flow):
    from django.db import IntegrityError, transaction

    _router(flow, CallableModel(lambda item: {"label": "ok", "confidence": 0.1})).route("item-1", {})
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingDecision.objects.create(
            flow_definition=flow, item_id="item-1", model_version="v1", route="auto", prediction={}
        )


@pytest.mark.django_db
def test_audit_sampling_sends_a_deterministic_share_of_confident_predictions(flow):
    model = CallableModel(lambda item: {"label": "ok", "confidence": 0.99})
    router = _router(flow, model, audit_percentage=20)

    routed = [router.route(f"item-{n}", {}).decision for n in range(200)]

    audited = [d.item_id for d in routed if d.route == "human"]
    assert all(d.reasons == ["AuditSample"] for d in routed if d.route == "human")
    assert 20 <= len(audited) <= 60  # 20% of 200, loosely
    # Deterministic per item: recomputing each item's draw gives the same set.
    assert audited == [d.item_id for d in routed if router._audit_draw(d.item_id) < 20]


@pytest.mark.django_db
def test_scores_are_reduced_to_the_top_label_and_a_missing_confidence_is_uncertain(flow):
    router = _router(flow, CallableModel(lambda item: item))
    top = router.route("a", {"scores": {"cat": 0.9, "dog": 0.1}})
    unknown = router.route("b", {"label": "cat"})
    assert top.decision.prediction["Label"] == "cat" and top.decision.route == "auto"
    assert unknown.decision.reasons == ["ConfidenceBand"]


@pytest.mark.django_db
def test_an_http_model_is_called_with_the_payload(flow):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            answer = json.dumps({"label": "spam", "confidence": 0.42}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        router = _router(flow, HttpModel(f"http://127.0.0.1:{server.server_port}/predict"))
        outcome = router.route("mail-1", {"text": "win money"})
    finally:
        server.shutdown()
        server.server_close()

    assert seen == [{"text": "win money"}]
    assert outcome.decision.prediction["Label"] == "spam"
    assert outcome.loop.input_json["initialValue"] == "spam"


@pytest.mark.django_db
def test_a_sagemaker_endpoint_is_invoked_through_clients(flow):
    clients.client.cache_clear()
    body = json.dumps({"label": "approve", "confidence": 0.97}).encode()
    with Stubber(clients.client("sagemaker-runtime")) as stub:
        stub.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"},
            expected_params={
                "EndpointName": "loan-model",
                "ContentType": "application/json",
                "Accept": "application/json",
                "Body": json.dumps({"amount": 75000}),
            },
        )
        outcome = _router(flow, SageMakerModel("loan-model")).route("loan-7", {"amount": 75000})
    clients.client.cache_clear()

    assert outcome.decision.reasons == ["BusinessField"]  # confident, but amount > 50,000
    assert outcome.decision.prediction["Confidence"] == 0.97
