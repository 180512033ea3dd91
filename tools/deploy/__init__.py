"""Deploying, previewing, destroying and reading the real stacks through the `pulumi` CLI.

Every CLI call goes through `pulumi_cli.PulumiCli` with an explicit `--stack` and `--cwd`, so a call never
depends on which stack a workspace happens to have selected, and tests can record it with a fake CLI.
"""
