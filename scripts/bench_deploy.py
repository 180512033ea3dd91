#!/usr/bin/env python3
"""SIMULATION, not a measurement of AWS: deploy-all's wall time against a one-stack-at-a-time run.

Runs the real `tools.deploy.deploy.deploy_all` against the fake `pulumi` (tests/fake_pulumi), whose `up`
sleeps a scripted time per stack, first as deploy-all runs (the service stacks side by side), then with
one stack at a time, and prints both wall times and their ratio. Both include the real subprocess overhead
of every CLI call (stack select, config, up). The durations are guesses scaled down (0.1 s per minute):
ECS services waiting for steady state and the platform's ALB dominate a real deploy.

    .venv/bin/python scripts/bench_deploy.py [--repeat 3] [--scale 0.1]
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

# Assumed minutes per stack update from scratch (not measured here): NAT gateways and endpoints for the
# network, an ALB and data stores for the platform, an ECS service reaching steady state for each service.
MINUTES = {"network": 4.0, "registry": 0.5, "platform": 8.0, "services": 5.0}


def one_run(environment: str, durations: dict[str, float], max_parallel: int | None) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-deploy-") as tmp:
        fake = FakePulumi(Path(tmp))
        fake.configure(sleep=durations)
        session = ops.open_session(environment, Path(tmp) / "build", environ=fake.environ(os.environ))
        session.max_parallel = max_parallel
        started = time.monotonic()
        with contextlib.redirect_stdout(io.StringIO()):
            ops.deploy_all(session)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.1, help="simulated seconds per assumed minute")
    parser.add_argument("--env", default="dev")
    args = parser.parse_args()
    durations = {str(stack): MINUTES[stack.project] * args.scale for stack in deploy_order(args.env)}
    sequential_sum = sum(durations.values())
    ideal = sum(max(d for key, d in durations.items() if key.startswith(f"{project}/")) for project in MINUTES)

    parallel = statistics.median(one_run(args.env, durations, None) for _ in range(args.repeat))
    sequential = statistics.median(one_run(args.env, durations, 1) for _ in range(args.repeat))
    print("SIMULATION: the fake pulumi CLI with scripted sleeps; no AWS, no real Pulumi, no real deploy.")
    print(f"simulated update durations ({args.scale} s per assumed minute): "
          + ", ".join(f"{key} {value:.2f}s" for key, value in durations.items()))
    print(f"deploy-all (service stacks in parallel): {parallel:.2f} s  (median of {args.repeat})")
    print(f"one stack at a time:                     {sequential:.2f} s  (median of {args.repeat})")
    print(f"ratio deploy-all / sequential: {parallel / sequential:.2f}  "
          f"(sleeps alone: {ideal:.2f}s / {sequential_sum:.2f}s = {ideal / sequential_sum:.2f}; the rest is the "
          f"start-up of each CLI process, which the parallel phase overlaps as well)")


if __name__ == "__main__":
    main()
