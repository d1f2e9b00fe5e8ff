"""One error hierarchy, one handler per surface: each hitl.kernel.errors class shows with its own status everywhere."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from hitl.aws.errors import CONTROL_PLANE, RUNTIME, code_and_status
from hitl.kernel import errors
from review_ui.api import exception_handler
from review_ui.errors import DomainErrorPageMiddleware
from tests import factories

# Every class with the status the reviewer API, the portal pages and the A2I runtime API answer.
STATUSES = [
    (errors.InvalidInput, 400, "ValidationException", "ValidationException"),
    (errors.NotFound, 404, "ResourceNotFoundException", "ResourceNotFound"),
    (errors.Conflict, 409, "ConflictException", "ConflictException"),
    (errors.InUse, 400, "ValidationException", "ResourceInUse"),
    (errors.LimitExceeded, 402, "ServiceQuotaExceededException", "ResourceLimitExceeded"),
    (errors.QuotaExceeded, 402, "ServiceQuotaExceededException", "ResourceLimitExceeded"),
    (errors.Throttled, 429, "ThrottlingException", "ThrottlingException"),
    (errors.AccessDenied, 403, "AccessDeniedException", "AccessDeniedException"),
]


@pytest.mark.parametrize(("cls", "status", "runtime_code", "control_plane_code"), STATUSES)
def test_every_surface_shows_an_error_with_the_status_its_class_names(cls, status, runtime_code, control_plane_code):
    exc = cls("What went wrong, and what to do.")

    api = exception_handler(exc, {})
    assert (api.status_code, api.data) == (status, {"message": "What went wrong, and what to do."})
    page = DomainErrorPageMiddleware(lambda request: None).process_exception(RequestFactory().get("/portal/"), exc)
    assert page.status_code == status
    assert "What went wrong, and what to do." in page.content.decode()
    assert code_and_status(exc, RUNTIME) == (runtime_code, status, exc.message)
    assert code_and_status(exc, CONTROL_PLANE) == (control_plane_code, 400, exc.message)


def test_a_subclass_keeps_its_parents_status():
    class LeaseLost(errors.Conflict):
        pass

    assert exception_handler(LeaseLost("gone"), {}).status_code == 409
    assert code_and_status(LeaseLost("gone"), RUNTIME)[:2] == ("ConflictException", 409)


def test_errors_that_are_not_domain_errors_are_left_to_the_next_handler():
    assert (
        DomainErrorPageMiddleware(lambda request: None).process_exception(RequestFactory().get("/"), KeyError()) is None
    )
    assert code_and_status(KeyError("x"), RUNTIME)[:2] == ("InternalServerException", 500)


@pytest.mark.django_db
def test_the_reviewer_api_answers_a_refusal_through_the_handler(client):
    acct = factories.account()
    rita = factories.user("rita")
    flow = factories.flow_definition(acct, factories.workteam(acct, members=[rita]))
    factories.human_loop(flow, name="loop-a")
    headers = {"HTTP_AUTHORIZATION": f"Token {factories.worker_token(rita)}"}
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]
    answer = {"answerContent": {"label": "Positive"}}

    assert client.post(f"/portal/api/tasks/{task_id}/submit", answer, "application/json", **headers).status_code == 200
    again = client.post(f"/portal/api/tasks/{task_id}/submit", answer, "application/json", **headers)
    assert (again.status_code, again.json()) == (409, {"message": "You already submitted this task."})
    missing = client.post("/portal/api/tasks/999999/release", **headers)
    assert missing.status_code == 404 and "does not exist" in missing.json()["message"]
    bad = client.post(f"/portal/api/tasks/{task_id}/submit", {"answerContent": 3}, "application/json", **headers)
    assert (bad.status_code, bad.json()) == (400, {"message": "answerContent must be a JSON object."})
