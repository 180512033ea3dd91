"""The ConfigSource a real program uses: the stack's Pulumi config."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass
class PulumiConfigSource:
    """Plain keys read as strings; a key the stack stores encrypted reads as an `Output[str]` marked secret, so
    its value never becomes a plain string inside the settings, and the settings only check that it is set and
    stored encrypted (`is_secret`). Components pass it to resources as it is."""

    project: str
    stack: str

    def get(self, key: str) -> str | pulumi.Output[str] | None:
        config = pulumi.Config(self.project)
        if self.is_secret(key):
            return config.get_secret(key)
        return config.get(key)

    def is_secret(self, key: str) -> bool:
        return pulumi.runtime.is_config_secret(f"{self.project}:{key}")


def pulumi_config_source() -> PulumiConfigSource:
    return PulumiConfigSource(project=pulumi.get_project(), stack=pulumi.get_stack())
