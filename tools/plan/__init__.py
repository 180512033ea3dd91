"""The offline plan: the real project programs run under Pulumi mocks, in deploy order, without AWS."""
