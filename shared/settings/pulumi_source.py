"""The ConfigSource a real program uses: the stack's Pulumi config."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass
class PulumiConfigSource:
    """Plain keys read as strings; a secret key reads as an `Output[str]` marked secret (`get_secret`), so its
    value never becomes a plain string inside the settings, which only check that it is set and stored encrypted
    (`is_secret`). Components pass it to resources as it is."""

    project: str
    stack: str

    def get(self, key: str) -> str | None:
        return pulumi.Config(self.project).get(key)

    def get_secret(self, key: str) -> pulumi.Output[str] | None:
        return pulumi.Config(self.project).get_secret(key)

    def is_secret(self, key: str) -> bool:
        return pulumi.runtime.is_config_secret(f"{self.project}:{key}")


def pulumi_config_source() -> PulumiConfigSource:
    return PulumiConfigSource(project=pulumi.get_project(), stack=pulumi.get_stack())
