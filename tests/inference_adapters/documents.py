"""The spec's worked examples (a2i-api.md 7.4, 9.7, 9.8) as AWS SDK documents and expected loop inputs."""

from __future__ import annotations

import json

FLOW_ARN_SUFFIX = "flow-definition/payroll-forms"

TEXTRACT_CONDITIONS = {
    "Conditions": [
        {
            "Or": [
                {
                    "ConditionType": "ImportantFormKeyConfidenceCheck",
                    "ConditionParameters": {
                        "ImportantFormKey": "Pay Date",
                        "ImportantFormKeyAliases": ["Pay Date:", "PayDate"],
                        "KeyValueBlockConfidenceLessThan": 60,
                        "WordBlockConfidenceLessThan": 85,
                    },
                },
                {
                    "ConditionType": "MissingImportantFormKey",
                    "ConditionParameters": {
                        "ImportantFormKey": "Employee Name",
                        "ImportantFormKeyAliases": ["Name", "Name:"],
                    },
                },
            ]
        }
    ]
}


def _block(block_type, block_id, confidence, *, entity=None, text=None, rels=()):
    block = {"BlockType": block_type, "Id": block_id, "Confidence": confidence, "Page": 1}
    if entity:
        block["EntityTypes"] = [entity]
    if text is not None:
        block["Text"] = text
    if rels:
        block["Relationships"] = [{"Type": kind, "Ids": list(ids)} for kind, ids in rels]
    return block


# Textract AnalyzeDocument (FORMS) as boto3 returns it (PascalCase), spec 7.4's aiServiceResponse.
TEXTRACT_RESPONSE = {
    "Blocks": [
        _block("KEY_VALUE_SET", "k-1", 58.2, entity="KEY", rels=[("VALUE", ["v-1"]), ("CHILD", ["w-1", "w-2"])]),
        _block("KEY_VALUE_SET", "v-1", 58.2, entity="VALUE", rels=[("CHILD", ["w-3"])]),
        _block("WORD", "w-1", 99.1, text="Pay"),
        _block("WORD", "w-2", 97.0, text="Date:"),
        _block("WORD", "w-3", 81.4, text="03/15/2024"),
        _block("KEY_VALUE_SET", "k-2", 96.5, entity="KEY", rels=[("VALUE", ["v-2"]), ("CHILD", ["w-4"])]),
        _block("KEY_VALUE_SET", "v-2", 96.5, entity="VALUE", rels=[("CHILD", ["w-5"])]),
        _block("WORD", "w-4", 99.6, text="ID:"),
        _block("WORD", "w-5", 99.2, text="E-20931"),
    ],
    "DocumentMetadata": {"Pages": 1},
}


def textract_request(flow_arn: str, loop_name: str = "payroll-7781") -> dict:
    return {
        "Document": {"S3Object": {"Bucket": "scans", "Name": "payroll/7781.png"}},
        "FeatureTypes": ["FORMS"],
        "HumanLoopConfig": {
            "DataAttributes": {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
            "FlowDefinitionArn": flow_arn,
            "HumanLoopName": loop_name,
        },
    }


def _cblock(block_type, block_id, confidence, *, entity=None, text=None, rels=()):
    block = {"blockType": block_type, "id": block_id}
    if entity:
        block["entityTypes"] = [entity]
    if text is not None:
        block["text"] = text
    block["confidence"] = confidence
    block["page"] = 1
    if rels:
        block["relationships"] = [{"type": kind, "ids": list(ids)} for kind, ids in rels]
    return block


# Spec 7.4 inputContent, member by member (camelCase).
EXPECTED_SELECTED_BLOCKS = [
    _cblock("KEY_VALUE_SET", "k-1", 58.2, entity="KEY", rels=[("VALUE", ["v-1"]), ("CHILD", ["w-1", "w-2"])]),
    _cblock("KEY_VALUE_SET", "v-1", 58.2, entity="VALUE", rels=[("CHILD", ["w-3"])]),
    _cblock("WORD", "w-1", 99.1, text="Pay"),
    _cblock("WORD", "w-2", 97.0, text="Date:"),
    _cblock("WORD", "w-3", 81.4, text="03/15/2024"),
]
EXPECTED_TEXTRACT_CONTEXT = {
    "importantFormKeys": [
        {"importantFormKey": "Pay Date", "importantFormKeyAliases": ["Pay Date:", "PayDate"]},
        {"importantFormKey": "Employee Name", "importantFormKeyAliases": ["Name", "Name:"]},
    ]
}
EXPECTED_TEXTRACT_RESULTS = {
    "Conditions": [
        {
            "EvaluationResult": True,
            "Or": [
                {
                    "ConditionType": "ImportantFormKeyConfidenceCheck",
                    "ConditionParameters": {
                        "ImportantFormKey": "Pay Date",
                        "ImportantFormKeyAliases": ["Pay Date:", "PayDate"],
                        "KeyValueBlockConfidenceLessThan": 60,
                        "WordBlockConfidenceLessThan": 85,
                    },
                    "EvaluationResult": True,
                },
                {
                    "ConditionType": "MissingImportantFormKey",
                    "ConditionParameters": {
                        "ImportantFormKey": "Employee Name",
                        "ImportantFormKeyAliases": ["Name", "Name:"],
                    },
                    "EvaluationResult": True,
                },
            ],
        }
    ]
}

REKOGNITION_CONDITIONS = {
    "Conditions": [
        {
            "Or": [
                {
                    "ConditionType": "ModerationLabelConfidenceCheck",
                    "ConditionParameters": {"ModerationLabelName": "Suggestive", "ConfidenceLessThan": 98},
                },
                {
                    "And": [
                        {
                            "ConditionType": "ModerationLabelConfidenceCheck",
                            "ConditionParameters": {"ModerationLabelName": "*", "ConfidenceGreaterThanEquals": 99},
                        },
                        {"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": 10}},
                    ]
                },
            ]
        }
    ]
}
REKOGNITION_RESPONSE = {
    "ModerationLabels": [
        {"Confidence": 96.71, "Name": "Suggestive", "ParentName": ""},
        {"Confidence": 88.2, "Name": "Female Swimwear Or Underwear", "ParentName": "Suggestive"},
    ],
    "ModerationModelVersion": "3.0",
}
EXPECTED_REKOGNITION_RESULTS = json.loads(
    """{"Conditions": [{"EvaluationResult": true, "Or": [
  {"ConditionType": "ModerationLabelConfidenceCheck",
   "ConditionParameters": {"ModerationLabelName": "Suggestive", "ConfidenceLessThan": 98},
   "EvaluationResult": true},
  {"EvaluationResult": false, "And": [
    {"ConditionType": "ModerationLabelConfidenceCheck",
     "ConditionParameters": {"ModerationLabelName": "*", "ConfidenceGreaterThanEquals": 99},
     "EvaluationResult": false},
    {"ConditionType": "Sampling", "ConditionParameters": {"RandomSamplingPercentage": 10},
     "EvaluationResult": false}
  ]}
]}]}"""
)
EXPECTED_REKOGNITION_SELECTED = {
    "moderationLabels": [{"confidence": 96.71, "name": "Suggestive", "parentName": ""}],
    "moderationModelVersion": "3.0",
}


def rekognition_request(flow_arn: str, loop_name: str = "moderation-1") -> dict:
    return {
        "Image": {"S3Object": {"Bucket": "uploads", "Name": "photos/beach.jpg"}},
        "HumanLoopConfig": {"FlowDefinitionArn": flow_arn, "HumanLoopName": loop_name},
    }
