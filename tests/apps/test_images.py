"""build-push against a fake `docker` on PATH (it records each call) and moto's ECR."""
from __future__ import annotations

import base64
import json
import os
import stat
import sys

import pytest
from invoke import Context, Exit
from moto import mock_aws

import tasks
from tests.shared_clients import MOCKED
from tools import release as images
from tools.local import aws_session

FAKE_DOCKER = f"""#!{sys.executable}
import json, os, sys
argv = sys.argv[1:]
record = {{"argv": argv}}
if "--password-stdin" in argv:
    record["stdin"] = sys.stdin.read()
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
if argv[0] == os.environ.get("FAKE_DOCKER_FAIL"):
    print("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
          file=sys.stderr)
    sys.exit(1)
"""
REPOSITORY = "ecr-frontend-dev"


@pytest.fixture
def docker(tmp_path, monkeypatch):
    """A fake docker first on PATH; returns a function reading its recorded calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "docker"
    script.write_text(FAKE_DOCKER)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "docker.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    monkeypatch.delenv("FAKE_DOCKER_FAIL", raising=False)
    return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def ecr():
    with mock_aws():
        client = MOCKED.client("ecr")
        url = client.create_repository(repositoryName=REPOSITORY,
                                       imageTagMutability="IMMUTABLE")["repository"]["repositoryUri"]
        yield client, url


def outputs(build_dir, urls, environment="dev"):
    path = build_dir / "outputs" / f"{environment}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"environment": environment,
                                "stacks": {f"registry/{environment}": {"repositoryUrls": urls}}}))
    return path


def push(tmp_path, service="frontend", tag="1.4.2", **kwargs):
    said = []
    image = images.build_push(service, tag, "dev", build_dir=tmp_path, session=aws_session(), say=said.append,
                              **kwargs)
    return image, said


def test_builds_logs_in_with_the_password_on_stdin_and_pushes(tmp_path, docker, ecr):
    client, url = ecr
    outputs(tmp_path, {"frontend": url})
    image, said = push(tmp_path)
    assert image == f"{url}:1.4.2"
    password = base64.b64decode(client.get_authorization_token()["authorizationData"][0]["authorizationToken"]
                                ).decode().split(":", 1)[1]
    registry = url.split("/")[0]
    assert docker() == [
        {"argv": ["info", "--format", "{{.ServerVersion}}"]},
        {"argv": ["build", "--file", str(images.APPS_DIR / "frontend" / "Dockerfile"), "--platform", "linux/amd64",
                  "--label", "org.opencontainers.image.version=1.4.2",
                  "--label", "org.opencontainers.image.title=frontend",
                  "--tag", image, str(images.APPS_DIR)]},
        {"argv": ["login", "--username", "AWS", "--password-stdin", registry], "stdin": password},
        {"argv": ["push", image]},
    ]
    assert password not in "\n".join(said)
    assert said[-1].endswith("then `invoke deploy --service frontend --env dev`")
    assert "`services:imageTag: 1.4.2` in projects/services/Pulumi.frontend-dev.yaml" in said[-1]


@pytest.mark.parametrize("tag,message", [
    ("", "--tag is empty"),
    ("latest", "--tag 'latest' is a moving tag"),
    ("-rc1", "--tag '-rc1' is not a Docker image tag"),
])
def test_bad_tags_are_refused_before_anything_runs(tmp_path, docker, tag, message):
    with pytest.raises(images.ReleaseError, match=message):
        push(tmp_path, tag=tag)
    assert docker() == []


def test_a_tag_already_in_ecr_is_refused_before_building(tmp_path, docker, ecr):
    client, url = ecr
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"digest": "sha256:" + "a" * 64, "size": 1,
                           "mediaType": "application/vnd.docker.container.image.v1+json"},
                "layers": []}
    client.put_image(repositoryName=REPOSITORY, imageManifest=json.dumps(manifest), imageTag="1.4.2")
    outputs(tmp_path, {"frontend": url})
    with pytest.raises(images.ReleaseError, match=r"ecr-frontend-dev:1.4.2 already exists and the repository is "
                                                  r"immutable; release under a new tag"):
        push(tmp_path)
    assert [call["argv"][0] for call in docker()] == ["info"]


def test_a_missing_repository_in_ecr_names_credentials(tmp_path, docker, ecr):
    _, url = ecr
    outputs(tmp_path, {"frontend": url.replace(REPOSITORY, "ecr-gone-dev")})
    with pytest.raises(images.ReleaseError, match="cannot read repository ecr-gone-dev in us-east-1: "
                                                  "RepositoryNotFoundException; check your AWS credentials"):
        push(tmp_path)


def test_without_a_docker_engine_the_message_says_to_start_one(tmp_path, docker, ecr, monkeypatch):
    _, url = ecr
    outputs(tmp_path, {"frontend": url})
    monkeypatch.setenv("FAKE_DOCKER_FAIL", "info")
    with pytest.raises(images.ReleaseError) as raised:
        push(tmp_path)
    assert str(raised.value) == (
        "no Docker engine is reachable (`docker info` exited 1: Cannot connect to the Docker daemon at "
        "unix:///var/run/docker.sock. Is the docker daemon running?); start Docker, or point DOCKER_HOST at a "
        "running engine, then run build-push again")


def test_without_the_docker_command_the_message_says_to_install_it(tmp_path, ecr, monkeypatch):
    _, url = ecr
    outputs(tmp_path, {"frontend": url})
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing called docker here
    with pytest.raises(images.ReleaseError, match="the `docker` command is not installed; install Docker Engine"):
        push(tmp_path)


def test_an_engine_failing_silently_still_gets_a_message(tmp_path):
    class Silent:
        returncode, stdout, stderr = 2, "", ""
    with pytest.raises(images.ReleaseError, match=r"`docker info` exited 2: no output"):
        images.require_engine(lambda argv, **kwargs: Silent())


@pytest.mark.parametrize("step", ["build", "login", "push"])
def test_a_failing_docker_step_is_named(tmp_path, docker, ecr, monkeypatch, step):
    _, url = ecr
    outputs(tmp_path, {"frontend": url})
    monkeypatch.setenv("FAKE_DOCKER_FAIL", step)
    with pytest.raises(images.ReleaseError, match=rf"`docker {step}` failed \(exit 1\); its output is above"):
        push(tmp_path)
    assert docker()[-1]["argv"][0] == step


def test_a_catalog_service_without_a_sample_app_is_refused_before_anything_runs(tmp_path, docker):
    # GIVEN a catalog service whose apps/<name>/ does not exist (here: an empty apps directory)
    with pytest.raises(images.ReleaseError, match=r"no sample app for frontend: add apps/frontend with its Dockerfile"):
        images.build_push("frontend", "1.4.2", "dev", build_dir=tmp_path, apps_dir=tmp_path / "apps")
    assert docker() == []


def test_an_unknown_service_is_refused_naming_the_catalog(tmp_path, docker):
    with pytest.raises(images.ReleaseError, match="no service named 'billing' in the catalog; known: frontend"):
        push(tmp_path, service="billing")


@pytest.mark.parametrize("document,message", [
    (None, "no outputs file at .*dev.json: deploy the registry \\(`invoke deploy --project registry --env dev`\\), "
           "then run `invoke outputs --env dev`"),
    ("{not json", "is not JSON"),
    ({"environment": "dev", "stacks": {}}, "holds no repositoryUrls of stack registry/dev"),
    ({"environment": "dev", "stacks": {"registry/dev": {"repositoryUrls": "[secret]"}}}, "holds no repositoryUrls"),
    ({"environment": "dev", "stacks": {"registry/dev": {"repositoryUrls": {"api-gateway": "x"}}}},
     "the registry stack has no repository for 'frontend' \\(it has: api-gateway\\)"),
    ({"environment": "dev", "stacks": {"registry/dev": {"repositoryUrls": {}}}}, "\\(it has: none\\)"),
    ({"environment": "dev", "stacks": {"registry/dev": {"repositoryUrls": {"frontend": "docker.io/frontend"}}}},
     "repository URL 'docker.io/frontend' is not an ECR URL"),
])
def test_the_repository_comes_only_from_the_registry_outputs(tmp_path, document, message):
    path = tmp_path / "outputs" / "dev.json"
    if document is not None:
        path.parent.mkdir(parents=True)
        path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(images.ReleaseError, match=message):
        images.repository_for("frontend", "dev", tmp_path)


def test_the_task_exits_cleanly_with_the_message(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "BUILD", tmp_path)
    with pytest.raises(Exit) as raised:
        tasks.build_push(Context(), service="frontend", tag="latest")
    assert raised.value.code == 1 and "moving tag" in raised.value.message


def test_the_task_passes_its_arguments(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(tasks, "BUILD", tmp_path)
    monkeypatch.setattr(images, "build_push", lambda *args, **kwargs: seen.append((args, kwargs)))
    tasks.build_push(Context(), service="api-gateway", tag="2.0.0", env="prod")
    assert seen == [(("api-gateway", "2.0.0", "prod"), {"build_dir": tmp_path})]


def test_local_up_task_runs_and_reports_failures_cleanly(monkeypatch):
    from tools import local
    calls = []
    monkeypatch.setattr(local, "local_up", lambda **kwargs: calls.append(kwargs))
    tasks.local_up(Context())
    tasks.local_up(Context(), services="processing-service", port_offset="100")
    assert calls == [{"services": "", "port_offset": 0}, {"services": "processing-service", "port_offset": 100}]

    def failing(**kwargs):
        raise local.LocalError("frontend exited with code 1 before it was healthy")
    monkeypatch.setattr(local, "local_up", failing)
    with pytest.raises(Exit) as raised:
        tasks.local_up(Context())
    assert raised.value.code == 1 and "frontend exited" in raised.value.message


def test_a_tag_with_a_trailing_newline_is_refused_before_anything_runs(tmp_path, docker):
    # the settings' rule (shared.settings.services.is_image_tag), matched against the whole tag: `$` alone
    # would let a pasted line end through to `docker tag`
    with pytest.raises(images.ReleaseError, match=r"--tag '1\.4\.2\\n' is not a Docker image tag: use letters"):
        push(tmp_path, tag="1.4.2\n")
    assert docker() == []
