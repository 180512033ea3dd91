"""The placeholder table: it matches the committed stack files, a replaced value drops out, prod blocks."""
from __future__ import annotations

import shutil

import pytest

import shared.stacks
from shared.stack_config import read_stack_config, read_stack_file
from shared.stacks import ENVIRONMENTS, PROJECTS_DIR, StackId, deploy_order
from tools.placeholders import (
    PLACEHOLDERS,
    Placeholder,
    blocking_placeholders,
    placeholders_in_place,
    render_placeholders,
)


@pytest.mark.parametrize("row", PLACEHOLDERS, ids=lambda p: f"{p.stack}:{p.key}")
def test_each_example_is_in_its_stack_file_today(row):
    committed = read_stack_file(row.stack)[row.key]
    if isinstance(committed, dict):
        assert committed == {"secure": row.example}
    elif isinstance(committed, list):
        assert row.example in committed
    else:
        assert committed == row.example
    # the key is one the loader accepts, and the command replaces that very key on that very stack
    assert read_stack_config(row.stack).problems == ()
    assert f" {row.key} " in row.replace or f"'{row.key}[0]'" in row.replace
    assert row.command.startswith(f"cd projects/{row.stack.project} && pulumi config set ")
    assert row.command.endswith(f"--stack organization/{row.stack.project}/{row.stack.stack}")


def test_every_prod_example_blocks_and_dev_examples_only_warn():
    for row in PLACEHOLDERS:
        assert row.blocking is (row.stack in deploy_order("prod")), row
    assert {row.stack for row in PLACEHOLDERS} <= {s for e in ENVIRONMENTS for s in deploy_order(e)}


def test_the_committed_environments():
    assert [(str(p.stack), p.key) for p in placeholders_in_place("dev")] == [
        ("services/processing-service-dev", "services:venueUrl")]
    assert blocking_placeholders("dev") == []
    prod = blocking_placeholders("prod")
    assert [p.key for p in prod] == ["platform:certificateArn", "platform:databaseUrl", "platform:thirdPartyApiKeys",
                                     "platform:alarmEmails", "services:venueUrl"]
    assert prod == placeholders_in_place("prod")


@pytest.fixture
def copied_projects(tmp_path, monkeypatch):
    """A copy of the committed projects that a test may edit."""
    root = tmp_path / "projects"
    shutil.copytree(PROJECTS_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(shared.stacks, "PROJECTS_DIR", root)
    return root


def test_a_replaced_value_is_no_longer_reported(copied_projects):
    prod = copied_projects / "platform" / "Pulumi.prod.yaml"
    text = prod.read_text()
    text = text.replace("00000000-0000-0000-0000-000000000000", "0123abcd-0000-4000-8000-0123456789ab")
    text = text.replace("trading-oncall@example.com", "oncall@trading.test")
    # one secret replaced by a real ciphertext; the other still the example
    text = text.replace("platform:databaseUrl:\n    secure: v1:RVhBTVBMRQ==",
                        "platform:databaseUrl:\n    secure: v1:cmVhbA==")
    prod.write_text(text)
    venue = copied_projects / "services" / "Pulumi.processing-service-dev.yaml"
    venue.write_text(venue.read_text().replace("https://venue-sandbox.example.com", "https://sandbox.venue.test"))

    assert [p.key for p in blocking_placeholders("prod")] == ["platform:thirdPartyApiKeys", "services:venueUrl"]
    assert placeholders_in_place("dev") == []
    assert render_placeholders("dev") == (
        "placeholders (dev): 0 example value(s) still in the stack files, 0 block(s) a deploy")


def test_rendering_names_the_level_the_break_and_the_command():
    row = Placeholder(StackId("services", "processing-service-dev"), "services:venueUrl",
                      "https://venue-sandbox.example.com", "orders fail", "pulumi config set x --stack {stack}",
                      blocking=False)
    text = render_placeholders("dev", (row,))
    assert text.splitlines() == [
        "placeholders (dev): 1 example value(s) still in the stack files, 0 block(s) a deploy",
        "  [warning] services/processing-service-dev services:venueUrl = 'https://venue-sandbox.example.com' "
        "(example): orders fail. Replace: cd projects/services && pulumi config set x --stack "
        "organization/services/processing-service-dev"]
    blocking = render_placeholders("prod")
    assert blocking.startswith("placeholders (prod): 5 example value(s) still in the stack files, 5 block(s) a deploy")
    assert "  [BLOCKS DEPLOY] platform/prod platform:certificateArn = " in blocking
