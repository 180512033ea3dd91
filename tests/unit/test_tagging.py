"""shared.tagging: the base tags, their merge with a resource's own, and the transformation that adds them to
every taggable resource (run in this process through the plan runner's `_execute`, without its worker fork)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from shared.settings import CommonSettings
from shared.stacks import StackId
from shared.tagging import REQUIRED_TAGS, base_tags, merge_tags, register_tagging
from tools.plan.runner import StackPlan, _execute

COMMON = CommonSettings("network", "dev", "dev", "team-core", "CC-7")
BASE = {"Environment": "dev", "Project": "network", "Owner": "team-core", "ManagedBy": "pulumi",
        "CostCenter": "CC-7"}


@pytest.fixture(autouse=True)
def _fresh_pulumi_settings():
    """A program run here configures the runtime of this process (and its stack transformations): the next
    test starts from none."""
    yield
    pulumi.runtime.reset_options()
    pulumi.runtime.set_all_config({})


def run(program: Callable[[], Any]) -> StackPlan:
    return _execute(StackId("network", "dev"), {}, ({}, []), program)


def test_base_tags_name_environment_project_owner_tool_and_cost_center():
    assert base_tags(COMMON) == BASE
    assert tuple(BASE) == REQUIRED_TAGS


def test_merge_puts_name_first_then_the_base_then_the_resources_own_which_win():
    merged = merge_tags(BASE, {"Owner": "team-x", "Name": "vpc-main", "Tier": "db"})
    assert list(merged.items()) == [("Name", "vpc-main"), ("Environment", "dev"), ("Project", "network"),
                                    ("Owner", "team-x"), ("ManagedBy", "pulumi"), ("CostCenter", "CC-7"),
                                    ("Tier", "db")]


def test_merge_without_own_tags_or_name_is_the_base_and_leaves_the_inputs_alone():
    assert list(merge_tags(BASE, None).items()) == list(BASE.items())
    own = {"Name": "q", "Tier": "db"}
    assert list(merge_tags(BASE, {"Tier": "db"})) == [*BASE, "Tier"]
    merge_tags(BASE, own)
    assert own == {"Name": "q", "Tier": "db"}


def test_every_taggable_resource_gets_the_base_tags_and_keeps_its_options_an_untaggable_one_is_untouched():
    def program() -> None:
        register_tagging(COMMON)
        queue = aws.sqs.Queue("plain", name="sqs-plain-dev",
                              opts=pulumi.ResourceOptions(ignore_changes=["name"], protect=True))
        aws.sqs.Queue("own", name="sqs-own-dev", tags={"Owner": "team-x", "Name": "own"})
        aws.sqs.QueuePolicy("policy", queue_url=queue.url, policy="{}")

    by_name = {r.name: r for r in run(program).registrations}
    assert by_name["plain"].inputs["tags"] == BASE
    assert by_name["plain"].ignore_changes == ["name"] and by_name["plain"].protect is True
    assert by_name["own"].inputs["tags"] == {**BASE, "Owner": "team-x", "Name": "own"}
    assert "tags" not in by_name["policy"].inputs
    assert by_name["policy"].inputs["policy"] == "{}"
