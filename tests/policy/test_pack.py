"""The pack as the CLI loads it: its project file, entry point arguments and pinned requirements."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policy.pack import PACK_NAME, pack_arguments
from policy.rules import all_policies

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"


def test_pack_arguments_hold_every_policy_under_a_valid_name():
    arguments = pack_arguments()
    assert re.fullmatch(r"[a-zA-Z0-9-_.]{1,100}", arguments["name"]) and arguments["name"] == PACK_NAME
    names = [p.name for p in arguments["policies"]]
    assert names == [p.name for p in all_policies()] and len(set(names)) == len(names) == 39
    assert arguments["enforcement_level"] is EnforcementLevel.MANDATORY


def test_every_policy_names_its_fsbp_control_or_reason_and_only_tags_and_access_logs_are_advisory():
    for policy in all_policies():
        assert re.match(r"^(FSBP [A-Za-z0-9]+\.\d+|Reason: )", policy.description), policy.name
        assert isinstance(policy, (ResourceValidationPolicy, StackValidationPolicy))
        # Advisory: tags, and S3 access logging (dev turns it off by config, docs/security.md)
        advisory = ("required-tags", "s3-server-access-logging")
        expected = EnforcementLevel.ADVISORY if policy.name in advisory else EnforcementLevel.MANDATORY
        assert policy.enforcement_level is expected, policy.name


def test_the_project_file_names_a_python_runtime_on_the_repository_virtualenv():
    project = yaml.safe_load((POLICY_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python" and project["version"]
    assert (POLICY_DIR / project["runtime"]["options"]["virtualenv"]).resolve() == POLICY_DIR.parent / ".venv"
    entry = (POLICY_DIR / "__main__.py").read_text()
    assert "PolicyPack(**pack_arguments())" in entry  # the entry point only serves what pack_arguments builds


def test_the_pack_requirements_are_pinned_like_the_repository():
    def pins(path: Path) -> dict[str, str]:
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
        return dict(line.split("==") for line in lines)

    pack = pins(POLICY_DIR / "requirements.txt")
    assert set(pack) >= {"pulumi", "pulumi-policy"} and pack["pulumi-policy"] == "1.21.0"
    repository = pins(POLICY_DIR.parent / "requirements.txt")
    assert all(repository[name] == version for name, version in pack.items())
