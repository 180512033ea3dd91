"""One deploy or destroy per environment at a time on this machine.

Pulumi locks each stack while it updates it, but a `deploy-all` is many updates in a row: a second run
could slip in between two of them (or destroy the network under a running deploy). An exclusive `flock` on
`build/locks/<env>.lock` closes that gap on one machine. The kernel drops the lock when the holding process
ends, however it ends, so a crashed run never leaves a stale lock. Across machines it does nothing: there
only the backend's per-stack locks apply (see the README).
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tools.deploy.engine import OpsError


def lock_path(lock_dir: Path, environment: str) -> Path:
    return lock_dir / f"{environment}.lock"


@contextmanager
def environment_lock(lock_dir: Path, environment: str, operation: str) -> Iterator[Path]:
    """Hold the environment's lock for the duration of the block, or refuse naming the run that holds it."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(lock_dir, environment)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text().strip() or "a run that has not written its name yet"
            raise OpsError(f"environment {environment} is locked by another run on this machine ({holder}); "
                           f"wait for it to finish, then run `{operation}` again. The lock is released when "
                           f"that process ends (lock file: {path})") from None
        # Who holds it, for the message above; written only once we hold the lock.
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        os.write(fd, f"{operation}, pid {os.getpid()}, started {started}\n".encode())
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
