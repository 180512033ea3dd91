"""The Pulumi engine, driven through the Automation API (`pulumi.automation`): which CLI, which backend and
secrets provider, one `LocalWorkspace` per project directory, and the stacks and outputs the backend holds.

The Automation API still runs the `pulumi` binary (it builds each command line itself, see
`pulumi/automation/_local_workspace.py` and `_stack.py`): what this module adds is what the SDK leaves to its
caller. The binary is the one on *our* PATH (the SDK would ask `os.environ`), checked with `pulumi version`
before any other call; backend and secrets provider are settled, and a missing passphrase refused, before the
first call; every call gets the same environment. Every stack is named `org/project/stack`
(`shared.stacks.qualified_stack_name`, the form StackReferences use), so no call depends on the stack a
workspace happens to have selected and stacks of one project can run side by side.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pulumi import automation as auto
from semver import VersionInfo

from shared.stacks import DEFAULT_ORGANIZATION, PROJECTS_DIR, REPO_ROOT, StackId, organization, qualified_stack_name

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
# The oldest CLI the Automation API of this SDK accepts (pulumi/automation/_minimum_version.py); a CLI of
# another major version is refused as the SDK refuses it.
MINIMUM_VERSION = VersionInfo.parse("3.1.0")
# What `stack output --json` prints for a secret without --show-secrets (the SDK's own sentinel).
SECRET_MASK = "[secret]"


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


def check_version(text: str) -> VersionInfo:
    """`pulumi version` output -> its version, refused as the Automation API refuses it (its message)."""
    try:
        version = VersionInfo.parse(text.strip().removeprefix("v"))
    except ValueError:
        raise OpsError(f"`pulumi version` printed {text.strip()!r}, not a version; reinstall the CLI from "
                       f"{INSTALL_URL}") from None
    if version.major != MINIMUM_VERSION.major or version < MINIMUM_VERSION:
        raise OpsError(f"pulumi CLI {version} does not work with this repository's Automation API (needs "
                       f"{MINIMUM_VERSION.major}.x, at least {MINIMUM_VERSION}); install a 3.x CLI from {INSTALL_URL}")
    return version


class PulumiBinary(auto.PulumiCommand):
    """The CLI found on our PATH. `auto.PulumiCommand` would run `pulumi` from `os.environ`'s PATH (or
    `<root>/bin/pulumi`); this one takes the executable we found and checks its version with our environment.
    The SDK reads `version` to choose how engine events reach it (gRPC above 3.205, a file up to it)."""

    def __init__(self, executable: str, environ: Mapping[str, str]):
        # No super().__init__(): it would run `pulumi version` found through os.environ.
        self.command = executable
        done = subprocess.run([executable, "version"], env={**environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
                              capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise OpsError(f"`pulumi version` failed (exit {done.returncode}): {done.stderr.strip()}; reinstall the "
                           f"CLI from {INSTALL_URL}")
        self.version = check_version(done.stdout)


class Engine:
    """One CLI, one backend, one environment for every workspace and stack of a run."""

    def __init__(self, command: auto.PulumiCommand, backend: Backend, environ: Mapping[str, str]):
        self.command = command
        self.backend = backend
        self.environ = dict(environ)
        self._workspaces: dict[str, auto.LocalWorkspace] = {}

    @classmethod
    def discover(cls, environ: Mapping[str, str] | None = None, repo_root: Path = REPO_ROOT) -> Engine:
        """Find the CLI on PATH, settle the backend, check the CLI's version; raises OpsError before any
        state-changing call when any is wrong."""
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
        return cls(PulumiBinary(executable, env), backend, env)

    def workspace(self, project: str) -> auto.LocalWorkspace:
        """The project's LocalWorkspace (its directory, our CLI and environment), made once per run. It never
        writes Pulumi.yaml or stack files: no project or stack settings are given to it."""
        if project not in self._workspaces:
            self._workspaces[project] = auto.LocalWorkspace(
                work_dir=str(PROJECTS_DIR / project), env_vars=self.environ,
                secrets_provider=self.backend.secrets_provider, pulumi_command=self.command)
        return self._workspaces[project]

    def stack(self, stack: StackId) -> auto.Stack:
        """Select the stack, or create it with the configured secrets provider (`stack select --stack S`,
        then `stack init S --secrets-provider P` when the CLI says there is no such stack)."""
        return auto.Stack.create_or_select(qualified_stack_name(stack), self.workspace(stack.project))

    def stack_names(self, project: str) -> frozenset[str]:
        """Short names (`dev`, `frontend-dev`) of the project's stacks in the backend (`stack ls --json`)."""
        try:
            listed = self.workspace(project).list_stacks()
        except (auto.errors.CommandError, ValueError) as error:  # ValueError: the CLI printed no JSON
            raise OpsError(f"could not list the stacks of project {project} in {self.backend.url}: {error}") from None
        # Names come back short or qualified (`organization/network/dev`) depending on backend and version.
        return frozenset(s.name.rsplit("/", 1)[-1] for s in listed)

    def outputs(self, stack: StackId) -> dict[str, Any]:
        """The stack's outputs, a secret one as SECRET_MASK (`stack output --json`, with and without
        --show-secrets: the SDK marks an output secret when the masked answer is the mask)."""
        try:
            found = self.workspace(stack.project).stack_outputs(qualified_stack_name(stack))
        except (auto.errors.CommandError, ValueError) as error:  # ValueError: the CLI printed no JSON
            raise OpsError(f"could not read the outputs of {stack}: {error}") from None
        return {key: SECRET_MASK if output.secret else output.value for key, output in found.items()}


def command_failure(error: auto.errors.CommandError, what: str) -> OpsError:
    """A failed CLI call as an OpsError: what failed, then the CLI's own last words."""
    if isinstance(error, auto.errors.ConcurrentUpdateError):
        return OpsError(f"could not {what}: another update holds the stack's lock (a run on another machine, or "
                        f"one that was killed). Wait for it to finish; if nothing runs any more, `pulumi cancel "
                        f"--stack <org/project/stack>` releases the lock (nothing was changed by this call):\n{error}")
    return OpsError(f"could not {what}:\n{error}")
