"""Verify one deployed environment from its outputs file, with the default boto3 session: what `invoke
verify` and the integration tests run."""
from __future__ import annotations

from pathlib import Path

import boto3

from tools.findings import Finding
from tools.verify.checks import run_checks
from tools.verify.expected import VerifyError, expected_for, load_outputs
from tools.verify.probe import HttpGet, http_status
from tools.verify.results import failures, render_table, summary_line


def default_session(region: str) -> boto3.Session:
    """The default credential chain (environment, profile, SSO, instance role) in the stacks' region."""
    return boto3.Session(region_name=region)


def live_session(region: str) -> boto3.Session:
    """A session that has credentials, or VerifyError saying how to provide them."""
    session = default_session(region)
    if session.get_credentials() is None:
        raise VerifyError("no AWS credentials: the default boto3 session found none (AWS_PROFILE, environment "
                          "variables, SSO or an instance role); configure read access to the environment's "
                          "account and run again")
    return session


def verify_environment(environment: str, outputs_file: Path, *, http_get: HttpGet | None = None,
                       only: list[str] | None = None) -> list[Finding]:
    """Every check (or `only` those) of `environment` against live AWS; VerifyError when it cannot start."""
    expected = expected_for(load_outputs(outputs_file, environment))
    return run_checks(live_session(expected.region), expected, http_get=http_get or http_status, only=only)


def report(environment: str, results: list[Finding]) -> tuple[str, bool]:
    """The table and summary `invoke verify` prints, and whether nothing failed."""
    text = f"== verify {environment}\n{render_table(results)}\n{summary_line(results)}"
    return text, not failures(results)
