"""boto3 support for hitl's extension operations on versioned flows and task UIs (issue 17).

    from hitl_agents.service_model import sagemaker_client
    sm = sagemaker_client(endpoint_url="http://hitl:8000", region_name="us-east-1")
    sm.update_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": html}, BaseVersion=1)
    sm.list_flow_definition_versions(FlowDefinitionName="flow")

The operations (UpdateHumanTaskUi, ListHumanTaskUiVersions, UpdateFlowDefinition,
ListFlowDefinitionVersions) are added to botocore's `sagemaker` model by the
service-2.sdk-extras.json file shipped beside this module, which botocore's
loader merges into the model it finds. Instead of this helper, an existing
session can call `register(session)`, or the environment can set
AWS_DATA_PATH to `DATA_PATH`. The standard operations are unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import botocore.session

DATA_PATH = str(Path(__file__).with_name("botocore_data"))


def register(session: boto3.session.Session | botocore.session.Session) -> None:
    """Let clients made from `session` after this call know the extension operations."""
    core = session._session if isinstance(session, boto3.session.Session) else session
    loader = core.get_component("data_loader")
    if DATA_PATH not in loader.search_paths:
        loader.search_paths.insert(0, DATA_PATH)


def sagemaker_client(session: boto3.session.Session | None = None, **client_kwargs: Any) -> Any:
    """Return a `sagemaker` client (of `session`, or a new one) that also has the extension operations."""
    session = session or boto3.session.Session()
    register(session)
    return session.client("sagemaker", **client_kwargs)
