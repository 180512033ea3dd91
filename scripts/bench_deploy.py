#!/usr/bin/env python3
"""SIMULATION, not a measurement of AWS: is the services phase of deploy-all still parallel?

Runs the real `tools.deploy.deploy.deploy_all` (offline gates and AWS preflight answered locally: they are
not what is measured) through the real `pulumi.automation` code against the fake `pulumi`
(tests/fake_pulumi), whose preview and up sleep the same scripted time for every stack. Reports deploy-all's
wall time against the sum of the stack operations' own times (each stack's preview plus up, as measured
around each Automation API call): with 3 serial stacks and 3 service stacks side by side the ideal ratio is
4/6 = 0.67; one stack at a time it would be 1.0. A second run with one stack at a time is shown for
comparison. Both include the real subprocess overhead of every CLI call the SDK makes.

    .venv/bin/python scripts/bench_deploy.py [--repeat 3] [--seconds 1.0]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.stacks import deploy_order  # noqa: E402
from tests.fake_pulumi.harness import FakePulumi  # noqa: E402
from tools.deploy import deploy as ops  # noqa: E402
from tools.deploy.preflight import Check  # noqa: E402


class LocalPreflight:
    """Every AWS check passes without AWS: the bench measures the engine phases, not the account."""

    def identity(self) -> Check:
        return Check("AWS identity", True, "not checked (benchmark)")

    def region(self, configs) -> Check:
        return Check("region", True, "not checked (benchmark)")

    def service_linked_role(self, create: bool = False) -> Check:
        return Check("ECS service-linked role", True, "not checked (benchmark)")

    def images(self, needs, urls, environment) -> Check:
        return Check("service images", True, "not checked (benchmark)")

    def quotas(self, needs) -> list[Check]:
        return []


def one_run(environment: str, seconds: float, max_parallel: int | None) -> tuple[float, float]:
    """(wall time of deploy-all, sum of the stack operations' times)."""
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        fake = FakePulumi(Path(tmp))
        fake.configure(sleep={str(stack): seconds / 2 for stack in deploy_order(environment)})  # preview + up
        environ = fake.environ(os.environ)
        os.environ.update(environ)  # the SDK merges os.environ under the workspace's variables
        session = ops.open_session(environment, Path(tmp) / "build", environ=environ)
        session.max_parallel = max_parallel
        session.gates = lambda session, allow: None
        session.preflight = LocalPreflight  # type: ignore[assignment]
        stack_seconds: list[float] = []
        real_run_stack = ops.run_stack

        def timed(*args, **kwargs):
            run = real_run_stack(*args, **kwargs)
            stack_seconds.append(run.seconds)
            return run

        ops.run_stack = timed  # type: ignore[assignment]
        try:
            started = time.monotonic()
            with contextlib.redirect_stdout(io.StringIO()):
                ops.deploy_all(session, options=ops.Options(yes=True))
            return time.monotonic() - started, sum(stack_seconds)
        finally:
            ops.run_stack = real_run_stack  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="simulated preview + up time of every stack")
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    stacks = deploy_order(args.env)

    parallel = [one_run(args.env, args.seconds, None) for _ in range(args.repeat)]
    sequential = [one_run(args.env, args.seconds, 1) for _ in range(args.repeat)]
    ratio = statistics.median(wall / total for wall, total in parallel)
    print("SIMULATION: the fake pulumi CLI with scripted sleeps; no AWS, no real Pulumi, no real deploy.")
    print(f"{len(stacks)} stacks, each {args.seconds:.2f} s of simulated preview + up")
    print(f"deploy-all wall time:     {statistics.median(w for w, _ in parallel):.2f} s  (median of {args.repeat})")
    print(f"sum of stack times:       {statistics.median(t for _, t in parallel):.2f} s")
    print(f"wall / sum of stack times: {ratio:.2f}  (goal <= 0.75; ideal 4/6 = 0.67 with the services side by side)")
    print(f"one stack at a time:      {statistics.median(w for w, _ in sequential):.2f} s wall, ratio "
          f"{statistics.median(wall / total for wall, total in sequential):.2f}")


if __name__ == "__main__":
    main()
