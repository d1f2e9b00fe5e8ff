"""Flow definitions are cached per process; a flow deleted behind the cache still refuses new loops."""

from __future__ import annotations

import time

import pytest

from flows.loops import lifecycle, lookups
from flows.models import FlowDefinition, HumanLoop
from hitl.kernel.errors import InvalidInput
from tests import factories as f


@pytest.mark.django_db(transaction=True)  # the loop's foreign key is checked when the transaction commits
def test_a_start_on_a_flow_another_process_deleted_is_refused_as_missing():
    acct = f.account()
    flow = f.flow_definition(acct, f.workteam(acct, members=[f.user()]), name="gone-soon")
    stale = lookups.flow_named(acct, "gone-soon")
    FlowDefinition.objects.filter(id=flow.id).delete()
    # As another web process still holds it: put the deleted row back into this process's cache.
    lookups._flows._entries[(acct.id, "gone-soon", False)] = (time.monotonic(), stale)
    assert lookups.flow_named(acct, "gone-soon") is stale

    with pytest.raises(InvalidInput, match="does not exist"):
        lifecycle.start_human_loop(
            account=acct, name="orphan", flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": 1}'
        )
    assert not HumanLoop.objects.filter(name="orphan").exists()
    assert lookups.flow_named(acct, "gone-soon") is None  # the refusal dropped the stale entry


@pytest.mark.django_db
def test_saving_a_flow_empties_the_cache_of_this_process():
    acct = f.account()
    flow = f.flow_definition(acct, f.workteam(acct, members=[f.user()]), name="renamed")
    assert lookups.flow_named(acct, "renamed") == flow
    flow.status = FlowDefinition.Status.DELETING
    flow.save(update_fields=["status"])
    assert lookups.flow_named(acct, "renamed").status == FlowDefinition.Status.DELETING


@pytest.mark.django_db
def test_a_cache_lifetime_of_zero_reads_the_database_every_time(settings):
    settings.HITL_PROCESS_CACHE_SECONDS = 0
    acct = f.account()
    flow = f.flow_definition(acct, f.workteam(acct, members=[f.user()]), name="uncached")
    assert lookups.flow_named(acct, "uncached") == flow
    # Behind the signals, as another process would change it: seen at once without a cache.
    FlowDefinition.objects.filter(id=flow.id).update(status=FlowDefinition.Status.DELETING)
    assert lookups.flow_named(acct, "uncached").status == FlowDefinition.Status.DELETING
