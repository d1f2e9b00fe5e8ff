"""A replay of AWS's custom-task-type A2I sample notebooks against hitl, up to reading output.json.

aws-samples/amazon-a2i-sample-jupyter-notebooks: "Amazon Augmented AI (A2I) and
Comprehend DetectSentiment", "... (Amazon A2I) Integration with tabular data",
"Amazon A2I and Comprehend Custom Classification Endpoints", "... (A2I) and Amazon
Translate", "Amazon A2I and Amazon Fraud Detector" and "Amazon A2I with Amazon
SageMaker for object detection and model retraining". Each test runs a notebook's
boto3 calls in its cell order with its template, loop names, input shapes and
output-reading code; the other AWS services' answers come from botocore's Stubber
(the values the notebooks recorded where they recorded one), and a reviewer answers
through the reviewer JSON API, as the private workforce portal would. The S3 reads
of output.json go to hitl's output store (the local backend in tests).
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from django.test import Client

from tests import factories as f
from workforce.models import Workteam, WorkteamMembership

BUCKET = "a2i-notebook-demo"


class OutputBucket:
    """The notebooks' `s3` client, for what they do with it here: read output.json, keep their own files."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 (boto3's argument names)
        from flows.delivery.storage import get_store

        body = self.objects.get((Bucket, Key))
        return {"Body": io.BytesIO(body if body is not None else get_store().get(Bucket, Key))}

    def put_object(self, Bucket: str, Key: str, Body: bytes | str) -> dict[str, Any]:  # noqa: N803
        self.objects[(Bucket, Key)] = Body.encode() if isinstance(Body, str) else Body
        return {}


class Notebook:
    """What every notebook has before its first A2I call: clients, a role, a private work team, a reviewer."""

    def __init__(self, aws_account, live_server) -> None:
        self.sagemaker = aws_account.sagemaker
        self.a2i = aws_account.runtime
        self.s3 = OutputBucket()
        self.role = f"arn:aws:iam::{aws_account.account.aws_account_id}:role/service-role/AmazonSageMaker-ExecutionRole"
        self.sagemaker.create_workforce(
            WorkforceName="notebook-workforce",
            OidcConfig={
                "ClientId": "portal", "ClientSecret": "secret", "Issuer": "https://idp.example.com",
                "AuthorizationEndpoint": "https://idp.example.com/authorize",
                "TokenEndpoint": "https://idp.example.com/token", "UserInfoEndpoint": "https://idp.example.com/userinfo",
                "LogoutEndpoint": "https://idp.example.com/logout", "JwksUri": "https://idp.example.com/jwks",
            },
        )  # fmt: skip
        self.workteam_arn = self.sagemaker.create_workteam(
            WorkteamName="notebook-reviewers",
            Description="Reviewers of the sample notebooks",
            MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}],
        )["WorkteamArn"]
        reviewer = f.user("notebook-reviewer")
        WorkteamMembership.objects.create(workteam=Workteam.objects.get(name="notebook-reviewers"), user=reviewer)
        self.portal = Client(HTTP_AUTHORIZATION=f"Token {f.worker_token(reviewer)}")
        self.portal_url = live_server.url

    def wait_for_active(self, flow_definition_name: str) -> None:
        # The notebooks' "Describe flow definition - status should be active" cell.
        for _ in range(60):
            response = self.sagemaker.describe_flow_definition(FlowDefinitionName=flow_definition_name)
            if response["FlowDefinitionStatus"] == "Active":
                return
            time.sleep(2)
        raise AssertionError("flow definition never became Active")

    def workforce_portal(self, workteam_arn: str) -> str:
        # "Navigate to the private worker portal": 'https://' + describe_workteam(...)['Workteam']['SubDomain'].
        workteam_name = workteam_arn[workteam_arn.rfind("/") + 1 :]
        return "https://" + self.sagemaker.describe_workteam(WorkteamName=workteam_name)["Workteam"]["SubDomain"]

    def review(self, answer_for) -> list[str]:
        """Let the reviewer answer every open task: answer_for(task input) -> answerContent. Returns the task HTML."""
        pages = []
        while True:
            response = self.portal.get("/portal/api/tasks/next")
            if response.status_code == 204:
                return pages
            assert response.status_code == 200, response.content
            task = response.json()
            pages.append(task["html"])
            submitted = self.portal.post(
                f"/portal/api/tasks/{task['taskId']}/submit",
                data=json.dumps({"answerContent": answer_for(task["input"])}),
                content_type="application/json",
            )
            assert submitted.status_code == 200, submitted.content


@pytest.fixture
def notebook(aws_account, live_server) -> Notebook:
    return Notebook(aws_account, live_server)


def stubbed(service: str, *responses: tuple[str, dict, dict]):
    """A real boto3 client of another AWS service whose answers are the given (operation, response, params)."""
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    for operation, response, expected in responses:
        stubber.add_response(operation, response, expected)
    stubber.activate()
    return client, stubber


def test_comprehend_detect_sentiment_notebook(notebook):
    sagemaker, a2i, s3 = notebook.sagemaker, notebook.a2i, notebook.s3
    template = r"""
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
    <crowd-classifier
      name="sentiment"
      categories="['Positive', 'Negative', 'Neutral', 'Mixed']"
      initial-value="{{ task.input.initialValue }}"
      header="What sentiment does this text convey?"
    >
      <classification-target>
        {{ task.input.taskObject }}
      </classification-target>

      <full-instructions header="Sentiment Analysis Instructions">
        <p><strong>Positive</strong> sentiment include: joy, excitement, delight</p>
        <p><strong>Negative</strong> sentiment include: anger, sarcasm, anxiety</p>
        <p><strong>Neutral</strong>: neither positive or negative, such as stating a fact</p>
        <p><strong>Mixed</strong>: when the sentiment is mixed</p>
      </full-instructions>

      <short-instructions>
       Choose the primary sentiment that is expressed by the text.
      </short-instructions>
    </crowd-classifier>
</crowd-form>
"""
    blurbs = ["I enjoy this product", "I am unhappy with this product", "It is okay", "sometimes it works"]
    scores = [(0.9991, "POSITIVE"), (0.9987, "NEGATIVE"), (0.7402, "NEUTRAL"), (0.5519, "NEUTRAL")]
    comprehend, stubber = stubbed(
        "comprehend",
        *[
            ("detect_sentiment", {"Sentiment": label, "SentimentScore": {
                "Positive": score if label == "POSITIVE" else 0.0002, "Negative": score if label == "NEGATIVE" else 0.0003,
                "Neutral": score if label == "NEUTRAL" else 0.0004, "Mixed": 0.0001}}, {"Text": blurb, "LanguageCode": "en"})
            for blurb, (score, label) in zip(blurbs, scores, strict=True)
        ],
    )  # fmt: skip

    def caps_to_camel(all_caps_string):
        return {"POSITIVE": "Positive", "NEGATIVE": "Negative", "NEUTRAL": "Neutral"}.get(all_caps_string)

    task_ui_name = "ui-comprehend-" + str(uuid.uuid4())
    human_task_ui_arn = sagemaker.create_human_task_ui(HumanTaskUiName=task_ui_name, UiTemplate={"Content": template})[
        "HumanTaskUiArn"
    ]
    flow_definition_name = "fd-comprehend-demo-" + str(uuid.uuid4())
    flow_definition_arn = sagemaker.create_flow_definition(
        FlowDefinitionName=flow_definition_name,
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Identify the sentiment of the provided text",
            "TaskTitle": "Detect Sentiment of Text",
        },
        OutputConfig={"S3OutputPath": f"s3://{BUCKET}/a2i-results"},
    )["FlowDefinitionArn"]
    notebook.wait_for_active(flow_definition_name)

    human_loops_started = []
    for blurb in blurbs:
        response = comprehend.detect_sentiment(Text=blurb, LanguageCode="en")
        sentiment = response["Sentiment"]
        if response["SentimentScore"][caps_to_camel(sentiment)] < 0.99:
            human_loop_name = str(uuid.uuid4())
            input_content = {"initialValue": sentiment.title(), "taskObject": blurb}
            a2i.start_human_loop(
                HumanLoopName=human_loop_name,
                FlowDefinitionArn=flow_definition_arn,
                HumanLoopInput={"InputContent": json.dumps(input_content)},
            )
            human_loops_started.append(human_loop_name)
    stubber.assert_no_pending_responses()
    assert len(human_loops_started) == 2

    for human_loop_name in human_loops_started:  # "Check Status of Human Loop"
        resp = a2i.describe_human_loop(HumanLoopName=human_loop_name)
        assert resp["HumanLoopStatus"] == "InProgress"
        assert resp["HumanLoopOutput"]["OutputS3Uri"].startswith(f"s3://{BUCKET}/a2i-results/{flow_definition_name}/")
    assert notebook.workforce_portal(notebook.workteam_arn).startswith("https://")

    pages = notebook.review(lambda task_input: {"sentiment": {"label": "Mixed"}})
    assert len(pages) == 2 and all("crowd-classifier" in page for page in pages)

    completed_human_loops = []
    for human_loop_name in human_loops_started:
        resp = a2i.describe_human_loop(HumanLoopName=human_loop_name)
        if resp["HumanLoopStatus"] == "Completed":
            completed_human_loops.append(resp)
    assert len(completed_human_loops) == 2
    for resp in completed_human_loops:  # "View Task Results"
        splitted_string = re.split("s3://" + BUCKET + "/", resp["HumanLoopOutput"]["OutputS3Uri"])
        output_bucket_key = splitted_string[1]
        response = s3.get_object(Bucket=BUCKET, Key=output_bucket_key)
        json_output = json.loads(response["Body"].read())
        assert json_output["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "Mixed"}}
        assert json_output["inputContent"]["taskObject"] in ("It is okay", "sometimes it works")


def test_tabular_data_notebook(notebook):
    sagemaker, a2i, s3 = notebook.sagemaker, notebook.a2i, notebook.s3
    template = r"""
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<style>
  table, tr, th, td {
    border: 1px solid black;
    border-collapse: collapse;
    padding: 5px;
  }
</style>

<crowd-form>
    <div>
        <h1>Instructions</h1>
        <p>Please review the predictions in the Predictions table based on the input data table below, and make corrections where appropriate. </p>
        <p> Here are the labels: </p>
        <p> 0: Benign </p>
        <p> 1: Malignant </p>
    </div>
    <div>
      <h3> Breast cancer dataset </h3>
      <div id="my_table"> {{ task.input.table | skip_autoescape }} </div>
   </div>
    <br>
    <h1> Predictions Table </h1>
    <table>
      <tr>
        <th>ROW NUMBER</th>
        <th>MODEL PREDICTION</th>
        <th>AGREE/DISAGREE WITH ML RATING?</th>
        <th>YOUR PREDICTION</th>
        <th>CHANGE REASON </th>
      </tr>

      {% for pair in task.input.Pairs %}

        <tr>
          <td>{{ pair.row }}</td>
          <td><crowd-text-area name="predicted{{ forloop.index }}" value="{{ pair.prediction }}"></crowd-text-area></td>
          <td>
            <p>
              <input type="radio" id="agree{{ forloop.index }}" name="rating{{ forloop.index }}" value="agree" required>
              <label for="agree{{ forloop.index }}">Agree</label>
            </p>
            <p>
              <input type="radio" id="disagree{{ forloop.index }}" name="rating{{ forloop.index }}" value="disagree" required>
              <label for="disagree{{ forloop.index }}">Disagree</label>
            </p>
          </td>
          <td>
            <p>
            <input type="text" name="True Prediction" placeholder="Enter your Prediction" />
            </p>
           </td>
           <td>
            <p>
            <input type="text" name="Change Reason" placeholder="Explain why you changed the prediction" />
            </p>
           </td>
        </tr>

      {% endfor %}

    </table>
</crowd-form>
"""  # noqa: E501
    timestamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
    flow_definition_name = "fd-sagemaker-tabular-data-demo-" + timestamp
    task_ui_name = "ui-sagemaker-tabular-data-demo-" + timestamp
    human_task_ui_arn = sagemaker.create_human_task_ui(HumanTaskUiName=task_ui_name, UiTemplate={"Content": template})[
        "HumanTaskUiArn"
    ]
    flow_definition_arn = sagemaker.create_flow_definition(
        FlowDefinitionName=flow_definition_name,
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Make sure the labels are correct",
            "TaskTitle": "tabular data a2i demo",
        },
        OutputConfig={"S3OutputPath": f"s3://{BUCKET}/a2i-results"},
    )["FlowDefinitionArn"]
    notebook.wait_for_active(flow_definition_name)

    # The xgboost endpoint's rounded predictions for the first five test rows, and the table pandas renders.
    predictions = [1.0, 0.0, 0.0, 1.0, 1.0]
    item_list = [{"row": f"ROW_{x}", "prediction": predictions[x]} for x in range(5)]
    table = '<table border="1" class="dataframe"><thead><tr><th></th><th>mean radius</th></tr></thead><tbody>'
    table += "".join(f"<tr><th>{x}</th><td>{12.0 + x}</td></tr>" for x in range(5)) + "</tbody></table>"
    ip_content = {"table": table, "Pairs": item_list}
    human_loop_name = str(uuid.uuid4())
    a2i.start_human_loop(
        HumanLoopName=human_loop_name,
        FlowDefinitionArn=flow_definition_arn,
        HumanLoopInput={"InputContent": json.dumps(ip_content)},
    )

    completed_human_loops = []
    resp = a2i.describe_human_loop(HumanLoopName=human_loop_name)
    assert f"HumanLoop Output Destination: {resp['HumanLoopOutput']}"  # the cell prints it while InProgress
    assert resp["HumanLoopStatus"] == "InProgress"

    def answer(task_input: dict) -> dict:
        content: dict[str, Any] = {
            f"predicted{n}": str(pair["prediction"]) for n, pair in enumerate(task_input["Pairs"], 1)
        }
        content.update({f"rating{n}": {"agree": n != 2, "disagree": n == 2} for n in range(1, 6)})
        content.update({"True Prediction": "1", "Change Reason": "Row 1 looks malignant"})
        return content

    [page] = notebook.review(answer)
    assert '<table border="1" class="dataframe">' in page  # skip_autoescape kept the pandas table as HTML
    resp = a2i.describe_human_loop(HumanLoopName=human_loop_name)
    if resp["HumanLoopStatus"] == "Completed":
        completed_human_loops.append(resp)
    assert len(completed_human_loops) == 1
    for resp in completed_human_loops:
        splitted_string = re.split("s3://" + BUCKET + "/", resp["HumanLoopOutput"]["OutputS3Uri"])
        json_output = json.loads(s3.get_object(Bucket=BUCKET, Key=splitted_string[1])["Body"].read())
        assert json_output["humanAnswers"][0]["answerContent"]["rating2"] == {"agree": False, "disagree": True}

    # "Delete Resources": the last cells stop the (Completed) loop, then delete it.
    a2i.stop_human_loop(HumanLoopName=human_loop_name)
    a2i.delete_human_loop(HumanLoopName=human_loop_name)
    with pytest.raises(a2i.exceptions.ResourceNotFoundException):
        a2i.describe_human_loop(HumanLoopName=human_loop_name)


def test_comprehend_custom_classification_notebook(notebook):
    sagemaker, a2i = notebook.sagemaker, notebook.a2i
    template = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
    <crowd-classifier-multi-select
      name="category"
      categories="['World', 'SciTech', 'Business','Sports']"
      header="Select the relevant categories"
    >
      <classification-target>
        {{ task.input.taskObject }}
      </classification-target>

      <full-instructions header="Text Categorization Instructions">
        <p><strong>World</strong>Related to world events</p>
        <p><strong>SciTech</strong>Anything realted to science or Technology</p>
        <p><strong>Business</strong>Anything related to driving business</p>
         <p><strong>Sports</strong>Anything related to sports</p>
      </full-instructions>

      <short-instructions>
       Choose all categories that are expressed by the text.
      </short-instructions>
    </crowd-classifier-multi-select>
</crowd-form>
"""
    endpoint_arn = "arn:aws:comprehend:us-east-1:186389221476:document-classifier-endpoint/news"
    sentence = "MS Dhoni retired from cricket"
    recorded = {"Classes": [{"Name": "SPORTS", "Score": 0.7070213556289673}, {"Name": "WORLD", "Score": 0.1983727365732193},
                            {"Name": "SCI_TECH", "Score": 0.07924257218837738}]}  # fmt: skip
    comprehend, _ = stubbed(
        "comprehend", ("classify_document", recorded, {"Text": sentence, "EndpointArn": endpoint_arn})
    )
    prefix = "custom-classify" + str(uuid.uuid1())
    task_ui_name = prefix + "-ui"
    human_task_ui_arn = sagemaker.create_human_task_ui(HumanTaskUiName=task_ui_name, UiTemplate={"Content": template})[
        "HumanTaskUiArn"
    ]
    flow_definition_name = prefix + "-fd-a2i"
    flow_definition_arn = sagemaker.create_flow_definition(
        FlowDefinitionName=flow_definition_name,
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Read the instructions",
            "TaskTitle": "Classify the text",
        },
        OutputConfig={"S3OutputPath": "s3://" + BUCKET + "/output"},
    )["FlowDefinitionArn"]
    notebook.wait_for_active(flow_definition_name)

    response = comprehend.classify_document(Text=sentence, EndpointArn=endpoint_arn)
    response = {
        "utterance": sentence,
        "prediction": response["Classes"][0]["Name"],
        "confidence": response["Classes"][0]["Score"],
    }
    human_loops_started = []
    if response["confidence"] > 0.30:
        human_loop_name = str(uuid.uuid4())
        a2i.start_human_loop(
            HumanLoopName=human_loop_name,
            FlowDefinitionArn=flow_definition_arn,
            HumanLoopInput={"InputContent": json.dumps({"taskObject": response["utterance"]})},
        )
        human_loops_started.append(human_loop_name)

    # Recorded: "HumanLoop Status: InProgress" printed beside
    # "HumanLoop Output Destination: {'OutputS3Uri': 's3://.../output/<flow>/2020/09/22/17/08/20/<loop>/output.json'}".
    for human_loop_name in human_loops_started:
        resp = a2i.describe_human_loop(HumanLoopName=human_loop_name)
        assert resp["HumanLoopStatus"] == "InProgress"
        created = resp["CreationTime"].strftime("%Y/%m/%d/%H/%M/%S")
        assert resp["HumanLoopOutput"] == {
            "OutputS3Uri": f"s3://{BUCKET}/output/{flow_definition_name}/{created}/{human_loop_name}/output.json"
        }

    notebook.review(lambda task_input: {"category": {"labels": ["World"]}})  # the recorded answer
    resp = a2i.describe_human_loop(HumanLoopName=human_loops_started[0])
    assert resp["HumanLoopStatus"] == "Completed"
    key = resp["HumanLoopOutput"]["OutputS3Uri"].removeprefix(f"s3://{BUCKET}/")
    abc = json.loads(notebook.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8"))
    assert abc["flowDefinitionArn"] == flow_definition_arn
    assert abc["humanAnswers"][0]["answerContent"] == {"category": {"labels": ["World"]}}
    assert abc["humanLoopName"] == human_loops_started[0]
    assert abc["inputContent"] == {"taskObject": "MS Dhoni retired from cricket"}


def test_translate_notebook(notebook):
    sagemaker, a2i_runtime_client, s3 = notebook.sagemaker, notebook.a2i, notebook.s3
    template = """

<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<style>
  table, tr, th, td {
    border: 1px solid black;
    border-collapse: collapse;
    padding: 5px;
  }
</style>

<crowd-form>
    <div>
        <h1>Instructions</h1>
        <p>Please review the below translations and make corrections and improvements.</p>
        <p>Your corrections should:
          <ol>
           <li>Make the translated text more accurately express the meaning of the original text</li>
           <li>Make the translated text read more like something a person would write rather than an automated translation</li>
          </ol>
        </p>
    </div>

    <table>
      <tr>
        <th>Original</th>
        <th>Translation</th>
        <th style="width: 70px">Rating</th>
      </tr>

      {% for pair in task.input.translationPairs %}

        <tr>
          <td>{{ pair.originalText }}</td>
          <td><crowd-text-area name="translation{{ forloop.index }}" value="{{ pair.translation }}"></crowd-text-area></td>
          <td>
            <p>
              <input type="radio" id="good{{ forloop.index }}" name="rating{{ forloop.index }}" value="good" required>
              <label for="good{{ forloop.index }}">Good</label>
            </p>
            <p>
              <input type="radio" id="bad{{ forloop.index }}" name="rating{{ forloop.index }}" value="bad" required>
              <label for="bad{{ forloop.index }}">Bad</label>
            </p>
          </td>
        </tr>

      {% endfor %}

    </table>
</crowd-form>

"""  # noqa: E501
    translation_text = "\nJust then another visitor entered the drawing room: Prince Andrew Bolkónski, the little princess’ husband. He was a very handsome young man, of medium height, with firm, clearcut features.\n"  # noqa: E501
    key = "input/test.txt"
    s3.put_object(Bucket=BUCKET, Key=key, Body=translation_text)
    sentences = [s for s in translation_text.split(".") if len(s.lstrip()) > 0]
    spanish = [
        "\nEn ese momento otro visitante entró en el salón: el príncipe Andrés Bolkonski, el marido de la princesita.",
        " Era un joven muy apuesto, de estatura media, con rasgos firmes y definidos.",
    ]
    translate, _ = stubbed(
        "translate",
        *[("translate_text", {"TranslatedText": es, "SourceLanguageCode": "en", "TargetLanguageCode": "es"},
           {"Text": s + ".", "SourceLanguageCode": "en", "TargetLanguageCode": "es"}) for s, es in zip(sentences, spanish, strict=True)],
    )  # fmt: skip
    human_task_ui_arn = sagemaker.create_human_task_ui(
        HumanTaskUiName="a2i-translate-test-01-ue-1", UiTemplate={"Content": template}
    )["HumanTaskUiArn"]
    flow_definition_arn = sagemaker.create_flow_definition(
        FlowDefinitionName=f"translate-a2i-{uuid.uuid4()}",
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Please review the translations done using Amazon Translate and make corrections and improvements.",
            "TaskTitle": "Review and Improve translations.",
        },
        OutputConfig={"S3OutputPath": "s3://" + BUCKET + "/"},
    )["FlowDefinitionArn"]

    file_contents = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8", "ignore")
    human_loop_input = {"SourceLanguage": "English", "TargetLanguage": "Spanish", "sourceLanguageCode": "en",
                        "targetLanguageCode": "es", "translationPairs": [], "rowCount": 0, "bucketName": BUCKET, "keyName": key}  # fmt: skip
    row_count = 0
    for sentence in file_contents.split("."):
        if len(sentence.lstrip()) > 0:
            translated = translate.translate_text(Text=sentence + ".", SourceLanguageCode="en", TargetLanguageCode="es")
            human_loop_input["translationPairs"].append(
                {"originalText": sentence + ".", "translation": translated["TranslatedText"]}
            )
            row_count += 1
    human_loop_input["rowCount"] = row_count
    human_loop_name = "Translate-A2I-Text" + str(int(round(time.time() * 1000)))
    a2i_runtime_client.start_human_loop(
        HumanLoopName=human_loop_name,
        FlowDefinitionArn=flow_definition_arn,
        HumanLoopInput={"InputContent": json.dumps(human_loop_input)},
    )
    resp = a2i_runtime_client.describe_human_loop(HumanLoopName=human_loop_name)
    output_file_path = resp["HumanLoopOutput"]  # read while InProgress
    assert output_file_path["OutputS3Uri"].endswith(f"/{human_loop_name}/output.json")

    notebook.review(
        lambda task_input: {
            **{
                f"translation{n}": pair["translation"].strip()
                for n, pair in enumerate(task_input["translationPairs"], 1)
            },
            **{f"rating{n}": {"good": True, "bad": False} for n in range(1, task_input["rowCount"] + 1)},
        }
    )
    resp = a2i_runtime_client.describe_human_loop(HumanLoopName=human_loop_name)
    assert resp["HumanLoopStatus"] == "Completed"
    output_file_path = resp["HumanLoopOutput"]["OutputS3Uri"].replace("s3://", "")
    tms_file = s3.get_object(Bucket=output_file_path.split("/")[0], Key="/".join(output_file_path.split("/")[1:]))[
        "Body"
    ].read()
    tms_file = json.loads(tms_file.decode("utf-8"))
    input_content = tms_file["inputContent"]
    answer_content = tms_file["humanAnswers"][0]["answerContent"]
    edited_content = ""
    for index in range(1, input_content["rowCount"]):
        edited_content += answer_content["translation" + str(index)] + " "
    target_key_name = input_content["keyName"][input_content["keyName"].index("/") + 1 :]
    s3.put_object(Bucket=BUCKET, Key=f"post_edits/PO-{target_key_name}", Body=edited_content.encode("utf-8"))
    assert s3.objects[(BUCKET, "post_edits/PO-test.txt")].decode().startswith("En ese momento otro visitante")


def test_fraud_detector_notebook(notebook):
    sagemaker, a2i_runtime_client = notebook.sagemaker, notebook.a2i
    template = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
      <crowd-classifier
          name="category"
          categories="['Fradulent', 'Valid', 'Needs furthur review']"
          header="Select the most relevant category"
      >
      <classification-target>
        <h3><strong>Risk Score (out of 1000): </strong><span style="color: #ff9900;">{{ task.input.score.sample_fraud_detection_insightscore }}</span></h3>
        <hr>
        <h3> Claim Details </h3>
        <p style="padding-left: 50px;"><strong>Email Address   :  </strong>{{ task.input.taskObject.email_address }}</p>
        <p style="padding-left: 50px;"><strong>Billing Address :  </strong>{{ task.input.taskObject.billing_address }}</p>
        <p style="padding-left: 50px;"><strong>Billing State   :  </strong>{{ task.input.taskObject.billing_state }}</p>
        <p style="padding-left: 50px;"><strong>Billing Zip     :  </strong>{{ task.input.taskObject.billing_postal }}</p>
        <p style="padding-left: 50px;"><strong>Originating IP  :  </strong>{{ task.input.taskObject.ip_address }}</p>
        <p style="padding-left: 50px;"><strong>Phone Number    :  </strong>{{ task.input.taskObject.phone_number }}</p>
        <p style="padding-left: 50px;"><strong>User Agent      :  </strong>{{ task.input.taskObject.user_agent }}</p>
      </classification-target>

      <full-instructions header="Verification instructions">
      <ol>
        <li><strong>Review</strong> the application and documents carefully.</li>
        <li>Mark the document as valid/fraudulent or needs furthur review </li>
      </ol>
      </full-instructions>

      <short-instructions>
           Choose the most relevant category that is expressed by the text.
      </short-instructions>
    </crowd-classifier>

</crowd-form>
"""  # noqa: E501
    rec = {"ip_address": "36.72.99.64", "email_address": "fake_bakermichael@example.net", "billing_state": "NJ",
           "user_agent": "Mozilla", "billing_postal": "32067", "phone_number": "555-555-0100",
           "billing_address": "12351 Amanda Knolls Fake St"}  # fmt: skip
    recorded = {"modelScores": [{"modelVersion": {"modelId": "sample_fraud_detection", "modelType": "ONLINE_FRAUD_INSIGHTS",
                                                  "modelVersionNumber": "1.0"},
                                 "scores": {"sample_fraud_detection_insightscore": 996.0}}],
                "ruleResults": [{"ruleId": "high_fraud_risk", "outcomes": ["verify_customer"]}]}  # fmt: skip
    event_id = uuid.uuid1()
    client, _ = stubbed("frauddetector", ("get_event_prediction", recorded, None))
    pred = client.get_event_prediction(detectorId="fraud_detector", detectorVersionId="1", eventId=str(event_id),
                                       eventTypeName="registration", eventTimestamp="2013-07-16T19:00:00Z",
                                       entities=[{"entityType": "customer", "entityId": str(event_id.int)}],
                                       eventVariables=rec)  # fmt: skip
    human_task_ui_arn = sagemaker.create_human_task_ui(
        HumanTaskUiName="fraud" + str(uuid.uuid1()), UiTemplate={"Content": template}
    )["HumanTaskUiArn"]
    flow_definition_name = f"fraud-detector-a2i-{int(round(time.time() * 1000))}"
    flow_definition_arn = sagemaker.create_flow_definition(
        FlowDefinitionName=flow_definition_name,
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Please review the  data and flag for potential fraud",
            "TaskTitle": "Review and Approve / Reject Amazon Fraud detector predictions.",
        },
        OutputConfig={"S3OutputPath": f"s3://{BUCKET}/a2i-results"},
    )["FlowDefinitionArn"]
    fraud_score = pred["modelScores"][0]["scores"]["sample_fraud_detection_insightscore"]
    if fraud_score > 900:
        human_loop_input = {"score": pred["modelScores"][0]["scores"], "taskObject": rec}
    human_loop_name = "Fraud-detector-" + str(int(round(time.time() * 1000)))
    a2i_runtime_client.start_human_loop(
        HumanLoopName=human_loop_name,
        FlowDefinitionArn=flow_definition_arn,
        HumanLoopInput={"InputContent": json.dumps(human_loop_input)},
    )
    summaries = a2i_runtime_client.list_human_loops(FlowDefinitionArn=flow_definition_arn)["HumanLoopSummaries"]
    assert [(s["HumanLoopName"], s["HumanLoopStatus"]) for s in summaries] == [(human_loop_name, "InProgress")]

    [page] = notebook.review(lambda task_input: {"category": {"label": "Needs furthur review"}})  # the recorded answer
    assert "996.0" in page and "fake_bakermichael@example.net" in page
    completed_loops = [
        loop["HumanLoopName"]
        for loop in a2i_runtime_client.list_human_loops(FlowDefinitionArn=flow_definition_arn)["HumanLoopSummaries"]
        if loop["HumanLoopStatus"] == "Completed"
    ]
    assert completed_loops == [human_loop_name]
    for name in completed_loops:
        described = a2i_runtime_client.describe_human_loop(HumanLoopName=name)
        output_uri = described["HumanLoopOutput"]["OutputS3Uri"]
        output_bucket_key = re.split("s3://" + BUCKET + "/", output_uri)[1]
        result = json.loads(notebook.s3.get_object(Bucket=BUCKET, Key=output_bucket_key)["Body"].read())
        assert result["humanAnswers"][0]["answerContent"] == {"category": {"label": "Needs furthur review"}}
        assert result["inputContent"]["score"] == {"sample_fraud_detection_insightscore": 996.0}


def test_object_detection_notebook(notebook):
    sagemaker_client, a2i, s3 = notebook.sagemaker, notebook.a2i, notebook.s3
    object_categories = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
                         "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
                         "tvmonitor"]  # fmt: skip
    template = r"""
<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>

<crowd-form>
  <crowd-bounding-box
    name="annotatedResult"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="Draw bounding boxes around all the objects in this image"
    labels="['aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor']"
  >
    <full-instructions header="Bounding Box Instructions" >
      <p>Use the bounding box tool to draw boxes around the requested target of interest:</p>
    </full-instructions>

    <short-instructions>
      Draw boxes around the requested target of interest.
    </short-instructions>
  </crowd-bounding-box>
</crowd-form>
"""  # noqa: E501
    timestamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
    flow_definition_name = "fd-sagemaker-object-detection-demo-" + timestamp
    task_ui_name = "ui-sagemaker-object-detection-demo-" + timestamp
    human_task_ui_arn = sagemaker_client.create_human_task_ui(
        HumanTaskUiName=task_ui_name, UiTemplate={"Content": template}
    )["HumanTaskUiArn"]
    flow_definition_arn = sagemaker_client.create_flow_definition(
        FlowDefinitionName=flow_definition_name,
        RoleArn=notebook.role,
        HumanLoopConfig={
            "WorkteamArn": notebook.workteam_arn,
            "HumanTaskUiArn": human_task_ui_arn,
            "TaskCount": 1,
            "TaskDescription": "Identify and locate the object in an image.",
            "TaskTitle": "Object detection a2i demo",
        },
        OutputConfig={"S3OutputPath": f"s3://{BUCKET}/a2i-results"},
    )["FlowDefinitionArn"]
    notebook.wait_for_active(flow_definition_name)

    # load_and_predict's (class index, score) pairs for the two sample photos, as the endpoint scores them.
    endpoint_scores = {"sample-a2i-images/pexels-photo-276517.jpeg": [(8.0, 0.4452), (10.0, 0.4177)],
                       "sample-a2i-images/pexels-photo-1571457.jpeg": [(17.0, 0.8712)]}  # fmt: skip
    human_loops_started = []
    for fname, score_filtered in endpoint_scores.items():
        score_filtered.sort(key=lambda x: x[1], reverse=True)
        if score_filtered[0][1] < 0.50:
            s3_fname = f"s3://{BUCKET}/a2i-results/{fname}"
            human_loop_name = str(uuid.uuid4())
            input_content = {"initialValue": score_filtered[0][0], "taskObject": s3_fname}
            a2i.start_human_loop(
                HumanLoopName=human_loop_name,
                FlowDefinitionArn=flow_definition_arn,
                HumanLoopInput={"InputContent": json.dumps(input_content)},
            )
            human_loops_started.append(human_loop_name)
    for human_loop_name in human_loops_started:
        assert a2i.describe_human_loop(HumanLoopName=human_loop_name)["HumanLoopOutput"]["OutputS3Uri"]

    box = {"label": "chair", "left": 120, "top": 80, "width": 200, "height": 310}
    [page] = notebook.review(
        lambda task_input: {
            "annotatedResult": {"boundingBoxes": [box], "inputImageProperties": {"height": 853, "width": 1280}}
        }
    )
    assert "crowd-bounding-box" in page
    completed_human_loops = [
        resp for name in human_loops_started
        if (resp := a2i.describe_human_loop(HumanLoopName=name))["HumanLoopStatus"] == "Completed"
    ]  # fmt: skip
    assert len(completed_human_loops) == 1

    object_categories_dict = {str(i): j for i, j in enumerate(object_categories)}

    def convert_a2i_to_augmented_manifest(a2i_output):
        annotations = []
        confidence = []
        for bbox in a2i_output["humanAnswers"][0]["answerContent"]["annotatedResult"]["boundingBoxes"]:
            object_class_key = [key for (key, value) in object_categories_dict.items() if value == bbox["label"]][0]
            annotations.append({"class_id": int(object_class_key), "width": bbox["width"], "top": bbox["top"],
                                "height": bbox["height"], "left": bbox["left"]})  # fmt: skip
            confidence.append({"confidence": 1})
        result = a2i_output["humanAnswers"][0]["answerContent"]["annotatedResult"]
        return {
            "source-ref": a2i_output["inputContent"]["taskObject"],
            "a2i-retraining": {"annotations": annotations, "image_size": [
                {"width": result["inputImageProperties"]["width"], "depth": 3, "height": result["inputImageProperties"]["height"]}]},
            "a2i-retraining-metadata": {"job-name": f"a2i/{a2i_output['humanLoopName']}", "class-map": object_categories_dict,
                                        "human-annotated": "yes", "objects": confidence,
                                        "creation-date": a2i_output["humanAnswers"][0]["submissionTime"],
                                        "type": "groundtruth/object-detection"},
        }  # fmt: skip

    for resp in completed_human_loops:
        output_bucket_key = re.split("s3://" + BUCKET + "/", resp["HumanLoopOutput"]["OutputS3Uri"])[1]
        json_output = json.loads(s3.get_object(Bucket=BUCKET, Key=output_bucket_key)["Body"].read())
        augmented_manifest = convert_a2i_to_augmented_manifest(json_output)
        assert (
            augmented_manifest["source-ref"] == f"s3://{BUCKET}/a2i-results/sample-a2i-images/pexels-photo-276517.jpeg"
        )
        assert augmented_manifest["a2i-retraining"]["annotations"] == [
            {"class_id": 8, "width": 200, "top": 80, "height": 310, "left": 120}
        ]
        assert augmented_manifest["a2i-retraining-metadata"]["creation-date"].endswith("Z")
