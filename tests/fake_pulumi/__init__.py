"""A fake `pulumi` executable and the harness that puts it first on PATH (tests and scripts/bench_deploy.py)."""
