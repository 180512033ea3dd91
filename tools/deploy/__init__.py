"""Deploying, previewing, destroying and reading the real stacks through the Pulumi Automation API.

`engine` finds the CLI and settles backend and secrets provider; `deploy` runs the phases (offline gates,
AWS preflight, preview, confirmation, up); `preflight` holds the AWS checks, `progress` the live lines and
per-run logs, `outputs` what the backend holds, `lock` the per-environment lock. The release flow and the
first deploy on an empty account, step by step: docs/deploy.md.
"""
