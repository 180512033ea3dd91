"""The pre-commit hooks run the tools CI runs, from the repository's own pinned virtual environment."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_pre_commit_runs_ruff_and_mypy_from_the_pinned_venv_and_every_path_exists():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff", "mypy"} <= set(hooks)
    for hook in hooks.values():
        executable, *arguments = hook["entry"].split()
        assert executable.startswith(".venv/bin/") and hook["language"] == "system"
        assert all((ROOT / a).exists() for a in arguments if a.startswith("tests/")), hook["id"]
    assert hooks["mypy"]["pass_filenames"] is False  # mypy checks the configured tree, not single files
