"""The `pulumi` CLI as a subprocess: which backend and secrets provider it uses, and how every call is made.

Every call names its stack (`--stack org/project/stack`) and project directory (`--cwd`) explicitly and runs
from the repository root: a call never depends on the stack a workspace happens to have selected, so stacks
of one project can run side by side, and a recorded call says exactly what ran. Backend and secrets provider
are settled before the first call, so a missing passphrase or CLI fails before anything has changed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlparse

from shared.stacks import (DEFAULT_ORGANIZATION, PROJECTS_DIR, REPO_ROOT, StackId, organization,
                           qualified_stack_name)

INSTALL_URL = "https://www.pulumi.com/docs/install/"
MISSING_CLI = (f"pulumi CLI not found: install it from {INSTALL_URL} (for example "
               "`curl -fsSL https://get.pulumi.com | sh`, then open a new shell) and check that `pulumi version` "
               "works; nothing was run")
STATE_DIR_NAME = ".pulumi-state"
# Backends that keep state in a directory or bucket we own; the CLI gives them the passphrase provider by
# default and knows only the organization `organization` on them.
SELF_MANAGED_SCHEMES = ("file", "s3", "azblob", "gs")
CLOUD_SCHEMES = ("https", "http")
KEY_SERVICE_PROVIDERS = ("awskms", "azurekeyvault", "gcpkms", "hashivault")
PASSPHRASE_VARIABLES = ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE")
# Flags on every call: never wait for a prompt (a parallel run has no terminal to answer it; stdin is
# /dev/null as well) and keep logs free of colour codes.
COMMON_FLAGS = ("--non-interactive", "--color", "never")


class OpsError(RuntimeError):
    """A failure the user can act on. The message names what failed and the fix; tasks print it as is,
    without a traceback. `code` is the exit status: 2 for a wrong invocation, 1 for a failed operation."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Backend:
    url: str
    secrets_provider: str

    @property
    def self_managed(self) -> bool:
        return urlparse(self.url).scheme in SELF_MANAGED_SCHEMES


def default_backend_url(repo_root: Path = REPO_ROOT) -> str:
    """State inside the repository (git-ignored), so a new user needs no account to start."""
    return f"file://{(repo_root / STATE_DIR_NAME).as_posix()}"


def backend_settings(environ: Mapping[str, str], repo_root: Path = REPO_ROOT) -> Backend:
    """The backend and secrets provider this run uses; refuses combinations the CLI would fail on later."""
    url = environ.get("PULUMI_BACKEND_URL", "").strip() or default_backend_url(repo_root)
    scheme = urlparse(url).scheme
    if scheme not in SELF_MANAGED_SCHEMES + CLOUD_SCHEMES:
        raise OpsError(f"PULUMI_BACKEND_URL={url!r} is not a Pulumi backend URL; use file://<directory>, "
                       f"s3://<bucket>[/<prefix>], azblob://<container>, gs://<bucket> or https://api.pulumi.com, "
                       f"or unset it for the local state in {STATE_DIR_NAME}/", code=2)
    self_managed = scheme in SELF_MANAGED_SCHEMES
    if self_managed and organization() != DEFAULT_ORGANIZATION:
        raise OpsError(f"PULUMI_ORG={organization()!r}, but the self-managed backend {url} only knows the "
                       f"organization {DEFAULT_ORGANIZATION!r}; unset PULUMI_ORG or use Pulumi Cloud", code=2)
    provider = environ.get("PULUMI_SECRETS_PROVIDER", "").strip() or ("passphrase" if self_managed else "default")
    if provider not in ("default", "passphrase") and not provider.startswith(
            tuple(f"{kind}://" for kind in KEY_SERVICE_PROVIDERS)):
        raise OpsError(f"PULUMI_SECRETS_PROVIDER={provider!r} is not a secrets provider the CLI knows; use "
                       f"passphrase, default (Pulumi Cloud) or a key URL such as "
                       f"awskms://alias/<alias>?region=us-east-1", code=2)
    if provider == "default" and self_managed:
        provider = "passphrase"  # what the CLI itself substitutes on a self-managed backend
    if provider == "passphrase" and not any(name in environ for name in PASSPHRASE_VARIABLES):
        raise OpsError(f"the passphrase secrets provider (state in {url}) needs PULUMI_CONFIG_PASSPHRASE: "
                       f"export PULUMI_CONFIG_PASSPHRASE='<a long passphrase from your team's password manager>' "
                       f"(or PULUMI_CONFIG_PASSPHRASE_FILE=<file holding it>), or use a KMS key with "
                       f"PULUMI_SECRETS_PROVIDER=awskms://alias/<alias>?region=us-east-1; nothing was run", code=2)
    return Backend(url, provider)


@dataclass(frozen=True)
class CallResult:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class PulumiCli:
    """One CLI, one backend, one environment for every call of a run."""

    def __init__(self, executable: str, backend: Backend, environ: Mapping[str, str], workdir: Path = REPO_ROOT):
        self.executable = executable
        self.backend = backend
        self.environ = dict(environ)
        self.workdir = workdir

    @classmethod
    def discover(cls, environ: Mapping[str, str] | None = None, repo_root: Path = REPO_ROOT) -> PulumiCli:
        """Find the CLI on PATH and settle the backend; raises OpsError before any call when either is wrong."""
        env = dict(os.environ if environ is None else environ)
        executable = shutil.which("pulumi", path=env.get("PATH", os.defpath))
        if executable is None:
            raise OpsError(MISSING_CLI, code=127)
        backend = backend_settings(env, repo_root)
        if urlparse(backend.url).scheme == "file":
            # The CLI refuses a file:// backend whose directory does not exist.
            Path(os.path.expanduser(backend.url[len("file://"):])).mkdir(parents=True, exist_ok=True)
        env["PULUMI_BACKEND_URL"] = backend.url
        env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
        return cls(executable, backend, env, repo_root)

    def argv(self, args: Sequence[str], *, stack: StackId | None = None, project: str | None = None) -> list[str]:
        """The full command: `args`, then the explicit stack (when given) and project directory."""
        if stack is not None:
            directory = stack.directory
            target = ["--stack", qualified_stack_name(stack)]
        else:
            directory = PROJECTS_DIR / str(project)
            target = []
        return [self.executable, *args, *target, "--cwd", str(directory), *COMMON_FLAGS]

    def display(self, argv: Sequence[str]) -> str:
        """The command as a person would type it from the repository root."""
        shown = ["pulumi"]
        for arg in argv[1:]:
            path = Path(arg)
            shown.append(str(path.relative_to(self.workdir)) if path.is_absolute() and path.is_relative_to(
                self.workdir) else arg)
        return " ".join(shown)

    def capture(self, args: Sequence[str], *, stack: StackId | None = None, project: str | None = None) -> CallResult:
        """Run and keep stdout and stderr apart (stdout of `--json` calls is parsed)."""
        argv = self.argv(args, stack=stack, project=project)
        done = subprocess.run(argv, cwd=self.workdir, env=self.environ, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, check=False)
        return CallResult(tuple(argv), done.returncode, done.stdout, done.stderr)

    def logged(self, args: Sequence[str], stack: StackId, log: Path) -> CallResult:
        """Run with stdout and stderr interleaved into `log` as they come, so a long update can be followed
        with `tail -f` while the progress lines stay readable when stacks run in parallel."""
        argv = self.argv(args, stack=stack)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as sink:
            sink.write(f"$ {self.display(argv)}\n")
            sink.flush()
            done = subprocess.run(argv, cwd=self.workdir, env=self.environ, stdin=subprocess.DEVNULL, stdout=sink,
                                  stderr=subprocess.STDOUT, check=False)
        return CallResult(tuple(argv), done.returncode, log.read_text(), "")
