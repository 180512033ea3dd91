"""Tools that run around the stack programs: the offline plan, deploy orchestration, verification, the
deployability analysis, image release and the local run. `tasks.py` imports them; no stack program and no
module of the library `shared/` may (tests/unit/test_layout.py enforces the direction)."""
