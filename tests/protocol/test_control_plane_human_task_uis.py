"""CreateHumanTaskUi / DescribeHumanTaskUi / ListHumanTaskUis / DeleteHumanTaskUi through boto3 `sagemaker`."""

from __future__ import annotations

import hashlib

import pytest
import requests
from botocore.exceptions import ClientError

from flows.models import HumanTaskUi
from tests.factories import SENTIMENT_TEMPLATE


def test_a_created_ui_is_described_with_a_fetchable_template_url_and_its_sha256(aws_account, sagemaker_client):
    response = sagemaker_client.create_human_task_ui(
        HumanTaskUiName="sentiment-ui",
        UiTemplate={"Content": SENTIMENT_TEMPLATE},
        Tags=[{"Key": "team", "Value": "support"}],
    )
    account_id = aws_account.account.aws_account_id
    arn = f"arn:aws:sagemaker:us-east-1:{account_id}:human-task-ui/sentiment-ui"
    assert response["HumanTaskUiArn"] == arn

    described = sagemaker_client.describe_human_task_ui(HumanTaskUiName="sentiment-ui")

    assert described["HumanTaskUiArn"] == arn
    assert described["HumanTaskUiName"] == "sentiment-ui"
    assert described["HumanTaskUiStatus"] == "Active"
    assert described["CreationTime"].year >= 2024
    template = described["UiTemplate"]
    assert template["ContentSha256"] == hashlib.sha256(SENTIMENT_TEMPLATE.encode()).hexdigest()
    fetched = requests.get(template["Url"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.text == SENTIMENT_TEMPLATE
    assert HumanTaskUi.objects.get(name="sentiment-ui").tags == [{"Key": "team", "Value": "support"}]


def test_a_tampered_template_url_is_refused(sagemaker_client):
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": SENTIMENT_TEMPLATE})
    url = sagemaker_client.describe_human_task_ui(HumanTaskUiName="ui")["UiTemplate"]["Url"]

    assert requests.get(url[:-3] + "xyz", timeout=10).status_code == 403


def test_a_duplicate_name_is_resource_in_use(sagemaker_client):
    sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": SENTIMENT_TEMPLATE})

    with pytest.raises(sagemaker_client.exceptions.ResourceInUse):
        sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": "<p>other</p>"})


def test_a_template_that_does_not_parse_is_refused_with_the_line(sagemaker_client):
    content = "<crowd-form>\n<p>{{ task.input.taskObject </p>\n{% if %}\n</crowd-form>"

    with pytest.raises(ClientError) as error:
        sagemaker_client.create_human_task_ui(HumanTaskUiName="broken", UiTemplate={"Content": content})

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "line" in error.value.response["Error"]["Message"]
    assert not HumanTaskUi.objects.filter(name="broken").exists()


def test_a_bad_name_is_a_validation_error_naming_the_field(sagemaker_client):
    with pytest.raises(ClientError) as error:
        sagemaker_client.create_human_task_ui(HumanTaskUiName="Bad_Name", UiTemplate={"Content": "<p>x</p>"})

    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "'humanTaskUiName'" in error.value.response["Error"]["Message"]


def test_the_ui_quota_is_resource_limit_exceeded(sagemaker_client, settings):
    settings.HITL_HUMAN_TASK_UI_QUOTA = 1
    sagemaker_client.create_human_task_ui(HumanTaskUiName="one", UiTemplate={"Content": "<p>1</p>"})

    with pytest.raises(sagemaker_client.exceptions.ResourceLimitExceeded):
        sagemaker_client.create_human_task_ui(HumanTaskUiName="two", UiTemplate={"Content": "<p>2</p>"})


def test_a_missing_ui_is_resource_not_found(sagemaker_client):
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.describe_human_task_ui(HumanTaskUiName="nope")
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.delete_human_task_ui(HumanTaskUiName="nope")


def test_list_pages_one_at_a_time_in_both_orders_and_deleted_uis_disappear(sagemaker_client):
    for name in ("ui-a", "ui-b", "ui-c"):
        sagemaker_client.create_human_task_ui(HumanTaskUiName=name, UiTemplate={"Content": f"<p>{name}</p>"})

    def all_names(**kwargs) -> list[str]:
        names, token = [], None
        while True:
            page = sagemaker_client.list_human_task_uis(
                MaxResults=1, **({"NextToken": token} if token else {}), **kwargs
            )
            assert len(page["HumanTaskUiSummaries"]) <= 1
            names += [s["HumanTaskUiName"] for s in page["HumanTaskUiSummaries"]]
            token = page.get("NextToken")
            if not token:
                return names

    assert all_names(SortOrder="Ascending") == ["ui-a", "ui-b", "ui-c"]
    assert all_names() == ["ui-c", "ui-b", "ui-a"]  # default: newest first

    sagemaker_client.delete_human_task_ui(HumanTaskUiName="ui-b")

    summaries = sagemaker_client.list_human_task_uis()["HumanTaskUiSummaries"]
    assert [s["HumanTaskUiName"] for s in summaries] == ["ui-c", "ui-a"]
    assert set(summaries[0]) == {"HumanTaskUiName", "HumanTaskUiArn", "CreationTime"}
    with pytest.raises(sagemaker_client.exceptions.ResourceNotFound):
        sagemaker_client.describe_human_task_ui(HumanTaskUiName="ui-b")


def test_another_account_cannot_see_the_ui(sagemaker_client, make_clients):
    sagemaker_client.create_human_task_ui(HumanTaskUiName="private-ui", UiTemplate={"Content": "<p>x</p>"})
    other = make_clients("other-tenant").sagemaker

    assert other.list_human_task_uis()["HumanTaskUiSummaries"] == []
    with pytest.raises(other.exceptions.ResourceNotFound):
        other.describe_human_task_ui(HumanTaskUiName="private-ui")
