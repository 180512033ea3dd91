"""`invoke build-push`: build a service's image, log in to ECR and push `<repository URL>:<tag>`.

The repository URL comes from the registry stack's outputs in `build/outputs/<env>.json` (written by
`invoke outputs`), never from a guess, so the image lands where the service stack will pull it. The tag
rules are the ones the services project enforces on `imageTag` (shared/settings/services.py), checked
before anything is built; a tag already in ECR is refused up front because the repositories are immutable
and a push would fail only after a full build. Docker is called as a subprocess so each call is visible
(and tested with a fake `docker` on PATH); the ECR password goes through stdin, never argv or a log.
"""
from __future__ import annotations

import base64
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from shared.catalog import CatalogError, by_name
from shared.settings.services import MOVING_TAGS, is_image_tag
from shared.stacks import REPO_ROOT
from tools.deploy.outputs import outputs_path

APPS_DIR = REPO_ROOT / "apps"
# The task definitions run X86_64 (shared/components/service.py runtime_platform): build for it even on an
# ARM laptop, or the task fails to start with `exec format error`.
PLATFORM = "linux/amd64"
ECR_URL = re.compile(r"^(?P<registry>(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?)"
                     r"/(?P<name>[a-z0-9][a-z0-9/_.-]*)$")

Runner = Callable[..., subprocess.CompletedProcess]


class ReleaseError(RuntimeError):
    """build-push cannot go on; the message names what is wrong and what to do."""


@dataclass(frozen=True)
class Repository:
    url: str
    registry: str
    account: str
    region: str
    name: str

    @classmethod
    def parse(cls, url: str) -> Repository:
        match = ECR_URL.fullmatch(url)
        if not match:
            raise ReleaseError(f"repository URL {url!r} is not an ECR URL "
                               f"(<account>.dkr.ecr.<region>.amazonaws.com/<name>); check the registry stack's outputs")
        return cls(url, match["registry"], match["account"], match["region"], match["name"])


def check_tag(tag: str) -> None:
    if not tag:
        raise ReleaseError("--tag is empty; give a release tag, e.g. --tag 1.4.2")
    if tag in MOVING_TAGS:
        raise ReleaseError(f"--tag {tag!r} is a moving tag; the repositories are immutable and a rollback must bring "
                           f"back the same image: give a release tag, e.g. --tag 1.4.2")
    if not is_image_tag(tag):
        raise ReleaseError(f"--tag {tag!r} is not a Docker image tag: use letters, digits, '_', '.' and '-', at most "
                           f"128 characters, not starting with '.' or '-'")


def repository_for(service: str, environment: str, build_dir: Path) -> Repository:
    path = outputs_path(build_dir, environment)
    hint = (f"deploy the registry (`invoke deploy --project registry --env {environment}`), then run "
            f"`invoke outputs --env {environment}`")
    if not path.exists():
        raise ReleaseError(f"no outputs file at {path}: {hint}")
    try:
        document = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ReleaseError(f"outputs file {path} is not JSON ({error}): {hint}") from None
    registry = document.get("stacks", {}).get(f"registry/{environment}")
    if not isinstance(registry, dict) or not isinstance(registry.get("repositoryUrls"), dict):
        raise ReleaseError(f"{path} holds no repositoryUrls of stack registry/{environment}: {hint}")
    url = registry["repositoryUrls"].get(service)
    if not url:
        known = ", ".join(sorted(registry["repositoryUrls"])) or "none"
        raise ReleaseError(f"the registry stack has no repository for {service!r} (it has: {known}); add the service "
                           f"to the catalog and redeploy the registry")
    return Repository.parse(url)


def require_engine(run: Runner) -> None:
    try:
        result = run(["docker", "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True)
    except FileNotFoundError:
        raise ReleaseError("the `docker` command is not installed; install Docker Engine (or Docker Desktop) and run "
                           "build-push again") from None
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        raise ReleaseError(f"no Docker engine is reachable (`docker info` exited {result.returncode}: "
                           f"{reason[-1] if reason else 'no output'}); start Docker, or point DOCKER_HOST at a "
                           f"running engine, then run build-push again")


def tag_exists(ecr, repository: Repository, tag: str) -> bool:
    try:
        ecr.describe_images(registryId=repository.account, repositoryName=repository.name,
                            imageIds=[{"imageTag": tag}])
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "ImageNotFoundException":
            return False
        raise ReleaseError(f"cannot read repository {repository.name} in {repository.region}: {code}; check your AWS "
                           f"credentials (AWS_PROFILE) and that the registry stack is deployed") from None
    return True


def _step(run: Runner, what: str, argv: list[str], stdin: str | None = None) -> None:
    result = run(argv, input=stdin, text=True) if stdin is not None else run(argv)
    if result.returncode != 0:
        raise ReleaseError(f"`docker {what}` failed (exit {result.returncode}); its output is above")


def build_push(service: str, tag: str, environment: str, *, build_dir: Path, apps_dir: Path = APPS_DIR,
               session: boto3.session.Session | None = None, run: Runner = subprocess.run,
               say: Callable[[str], None] = print) -> str:
    """Build, log in, push; returns the image reference. Every refusal happens before the build starts."""
    try:
        by_name(service)
    except CatalogError as error:
        raise ReleaseError(str(error)) from None
    if not (apps_dir / service / "Dockerfile").is_file():
        raise ReleaseError(f"no sample app for {service}: add apps/{service} with its Dockerfile (the catalog "
                           f"declares the service, but there is no image to build)")
    check_tag(tag)
    repository = repository_for(service, environment, build_dir)
    require_engine(run)
    image = f"{repository.url}:{tag}"
    ecr = (session or boto3.session.Session()).client("ecr", region_name=repository.region)
    if tag_exists(ecr, repository, tag):
        raise ReleaseError(f"{image} already exists and the repository is immutable; release under a new tag")

    say(f"building {image} from apps/{service}")
    _step(run, "build", ["docker", "build", "--file", str(apps_dir / service / "Dockerfile"), "--platform", PLATFORM,
                         "--label", f"org.opencontainers.image.version={tag}",
                         "--label", f"org.opencontainers.image.title={service}", "--tag", image, str(apps_dir)])
    token = ecr.get_authorization_token(registryIds=[repository.account])["authorizationData"][0]
    username, password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)
    say(f"logging in to {repository.registry}")
    _step(run, "login", ["docker", "login", "--username", username, "--password-stdin", repository.registry],
          stdin=password)
    say(f"pushing {image}")
    _step(run, "push", ["docker", "push", image])
    say(f"pushed {image}\nnext: set `services:imageTag: {tag}` in "
        f"projects/services/Pulumi.{service}-{environment}.yaml, then "
        f"`invoke deploy --service {service} --env {environment}`")
    return image
