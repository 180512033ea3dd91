"""Shared test helpers: run a real project program under the offline plan's mocks and query what it registered."""
from __future__ import annotations

import copy
import fcntl
import json
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from shared.stack_config import load_stack_config
from shared.stacks import StackId
from tools.plan.mocks import StackOutputs
from tools.plan.runner import StackPlan, plan_environment, reference_key, run_stack


@dataclass
class Stack:
    """What one program registered, with lookups by type and logical name."""

    plan: StackPlan

    @property
    def resources(self) -> list:
        return [r for r in self.plan.registrations if r.custom]

    def of_type(self, typ: str) -> list:
        return [r for r in self.plan.registrations if r.type == typ]

    def one(self, typ: str, name: str | None = None):
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str):
        return next(r for r in self.plan.registrations if r.urn == urn)

    @property
    def outputs(self) -> dict[str, Any]:
        return self.plan.outputs.values


def policy(registration, key: str = "policy") -> dict:
    """An IAM/KMS/bucket policy input parsed from its JSON string."""
    return json.loads(registration.inputs[key])


def upstream_of(plans: dict[str, Stack], project: str) -> dict[str, StackOutputs]:
    """What the stacks deployed before `project` export, keyed by StackReference name, from an environment's plan
    (`environment_plans`, in deploy order): the outputs a program of `project` reads. Each caller gets a copy."""
    outputs: dict[str, StackOutputs] = {}
    for stack in plans.values():
        if stack.plan.stack.project == project:
            break
        outputs[reference_key(stack.plan.stack)] = copy.deepcopy(stack.plan.outputs)
    return outputs


@pytest.fixture
def run_project(environment_plans) -> Callable[..., Stack]:
    """Run `project`'s program for `stack` with its committed config plus `overrides` ({key: value}; None
    deletes a key), reading upstream outputs from the plan of the same environment unless given."""

    def run(project: str, stack: str, overrides: dict[str, Any] | None = None, *, environment: str | None = None,
            upstream: dict[str, StackOutputs] | None = None, secret_keys: list[str] | None = None) -> Stack:
        stack_id = StackId(project, stack)
        values, secrets = load_stack_config(stack_id)
        for key, value in (overrides or {}).items():
            full = key if ":" in key else f"{project}:{key}"
            if value is None:
                values.pop(full, None)
            else:
                values[full] = value if isinstance(value, str) else json.dumps(value)
        secrets = secrets + [k if ":" in k else f"{project}:{k}" for k in (secret_keys or [])]
        if upstream is None:
            upstream = upstream_of(environment_plans(environment or stack), project)
        return Stack(run_stack(stack_id, upstream, (values, secrets)))

    return run


@pytest.fixture(scope="session", autouse=True)
def cold_caches() -> None:
    """Each session starts with the pure-function caches empty: mutation testing forks its runs from a process
    that already ran the tests, and a result cached there would answer for the mutated function."""
    from shared import iam, stack_config
    from tools.analysis import iamdb

    for cached in (*iam.CACHED, *iamdb.CACHED, *stack_config.CACHED):
        cached.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def one_botocore_loader() -> Iterator[None]:
    """Every botocore session of the run shares one loader of API models. moto's `mock_aws` replaces boto3's
    default session each time it starts, and a fresh session parses the service models again (tens of
    milliseconds a service, 20 s of the deploy tests); the models are read-only, so sharing them changes nothing.
    """
    import botocore.loaders
    import botocore.session

    loaders: dict[str | None, botocore.loaders.Loader] = {}

    def shared(search_path_string: str | None = None) -> botocore.loaders.Loader:
        if search_path_string not in loaders:
            loaders[search_path_string] = botocore.loaders.create_loader(search_path_string)
        return loaders[search_path_string]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", shared)
        yield


@pytest.fixture(scope="session", autouse=True)
def one_private_key_per_kms_key_spec() -> Iterator[None]:
    """moto gives every KMS key, symmetric ones too, a freshly generated RSA private key (0.14 s each); our code
    only encrypts with symmetric keys, so one key pair per key spec serves every mocked key of the run."""
    import moto.kms.models

    generate = moto.kms.models.generate_private_key
    generated: dict[str, Any] = {}

    def one_per_spec(key_spec: str) -> Any:
        if key_spec not in generated:
            generated[key_spec] = generate(key_spec)
        return generated[key_spec]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(moto.kms.models, "generate_private_key", one_per_spec)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_creation_stack_per_forked_collector() -> Iterator[None]:
    """coverage.py starts a collector in every forked plan worker (`concurrency = multiprocessing`), and each one
    records the call stack that created it (`inspect.stack()`), which only coverage's own debug output prints.
    Under pytest that is 60-odd frames whose source and module `inspect` looks up afresh in each fork: 49-64 ms of
    CPU in a new fork under coverage (time.process_time around one call), and a run forks about 100 plan workers."""
    import coverage.collector

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(coverage.collector, "short_stack", lambda *args, **kwargs: "")
        yield


@pytest.fixture(scope="session", autouse=True)
def no_default_amis() -> Iterator[None]:
    """moto loads its catalogue of public AMIs into every EC2 backend it creates (0.6 s each, most of the
    verifier tests' time); nothing here launches an instance. Set for the session, so the moto servers the app
    tests start inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        yield


@pytest.fixture(scope="session")
def once_per_run(tmp_path_factory, worker_id) -> Callable[[str, Callable[[], Any]], Any]:
    """`once_per_run(name, compute)`: the first worker to ask computes the value and leaves it (pickled) for the
    others, which wait for it. For plans: a whole environment is seconds of CPU under coverage, and the workers
    share two cores."""
    # xdist workers have a base directory each inside the run's own; a run without workers has only its own.
    run_directory = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_directory = run_directory.parent

    def once(name: str, compute: Callable[[], Any]) -> Any:
        result = run_directory / f"{name}.pickle"
        with (run_directory / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if result.exists():
                return pickle.loads(result.read_bytes())
            value = compute()
            result.write_bytes(pickle.dumps(value))
            return value

    return once


@pytest.fixture(scope="session")
def environment_plans(once_per_run) -> Callable[[str], dict[str, Stack]]:
    """The full offline plan of an environment, computed once per test run: {"network/dev": Stack, ...}."""
    cache: dict[str, dict[str, Stack]] = {}

    def get(environment: str) -> dict[str, Stack]:
        if environment not in cache:
            plans = once_per_run(f"plan-{environment}", lambda: plan_environment(environment))
            cache[environment] = {str(p.stack): Stack(p) for p in plans}
        return cache[environment]

    return get


@pytest.fixture(scope="session")
def planned(environment_plans) -> Callable[[str], list[StackPlan]]:
    """`plan_environment` answered from the session's plans: for tests of what a task does with a plan (write,
    print, gate it), which would otherwise plan the whole environment again."""
    return lambda environment: [stack.plan for stack in environment_plans(environment).values()]


@pytest.fixture(scope="session")
def plan_document(environment_plans) -> Callable[[str], dict]:
    """An environment's plan exactly as `plan.json` holds it (JSON round trip), computed once per session."""
    from tools.plan.runner import plan_document as document

    def get(environment: str) -> dict:
        plans = [stack.plan for stack in environment_plans(environment).values()]
        return json.loads(json.dumps(document(environment, plans)))

    return get
