"""Each image honours the catalog's container contract, read from its Dockerfile and requirements."""
from __future__ import annotations

import json
import re

import pytest

from shared.catalog import CONTRACT, Secret
from tests.apps.support import SAMPLE_APPS
from tools.local import APPS_DIR, package


def instructions(service) -> list[tuple[str, str]]:
    text = (APPS_DIR / service.name / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    return [tuple(line.split(None, 1)) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def values(service, keyword: str) -> list[str]:
    return [value for key, value in instructions(service) if key == keyword]


@pytest.mark.parametrize("service", SAMPLE_APPS, ids=lambda s: s.name)
def test_base_is_a_slim_python_pinned_by_version(service):
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", values(service, "FROM")[0])


@pytest.mark.parametrize("service", SAMPLE_APPS, ids=lambda s: s.name)
def test_runs_as_the_contract_user_without_bytecode_writes(service):
    assert values(service, "USER") == [CONTRACT.user]
    assert "PYTHONDONTWRITEBYTECODE=1" in values(service, "ENV")[0].split()
    # the last instruction that matters at runtime comes after USER: nothing runs as root
    keywords = [key for key, _ in instructions(service)]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k in ("RUN", "COPY"))


@pytest.mark.parametrize("service", SAMPLE_APPS, ids=lambda s: s.name)
def test_port_command_and_healthcheck_follow_the_catalog(service):
    assert values(service, "EXPOSE") == [str(service.port)]
    assert json.loads(values(service, "CMD")[0]) == ["python", "-m", package(service)]
    healthcheck = values(service, "HEALTHCHECK")[0]
    assert json.loads(healthcheck[healthcheck.index("CMD") + 4:]) == service.health_check_command()[1:]


@pytest.mark.parametrize("service", SAMPLE_APPS, ids=lambda s: s.name)
def test_copies_only_the_toolkit_and_its_own_code_and_bakes_in_no_secret(service):
    sources = {value.split()[0] for value in values(service, "COPY")}
    assert sources == {f"{service.name}/requirements.txt", "common/appkit", f"{service.name}/{package(service)}"}
    text = (APPS_DIR / service.name / "Dockerfile").read_text()
    assert not any(secret.value in text for secret in Secret)
    assert "ARG" not in [key for key, _ in instructions(service)]


@pytest.mark.parametrize("service", SAMPLE_APPS, ids=lambda s: s.name)
def test_every_requirement_is_pinned_and_matches_the_repository(service):
    constraints = dict(line.split("==") for line in (APPS_DIR.parent / "constraints.txt").read_text().splitlines()
                       if "==" in line)
    lowered = {name.lower(): version for name, version in constraints.items()}
    for line in (APPS_DIR / service.name / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert lowered[name.lower()] == version, f"{service.name}: {line} differs from constraints.txt"


def test_the_context_ignores_caches_and_local_env_files():
    ignored = (APPS_DIR / ".dockerignore").read_text().splitlines()
    assert {"**/__pycache__", "**/*.py[co]", "**/.env"} <= set(ignored)
