"""The ConfigSource a real program uses: the stack's Pulumi config."""
from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi.runtime.sync_await import _sync_await


@dataclass
class PulumiConfigSource:
    project: str
    stack: str

    def get(self, key: str) -> str | None:
        config = pulumi.Config(self.project)
        if not self.is_secret(key):
            return config.get(key)
        # Components wrap secret values again (Output.secret) before they reach a resource or an export.
        secret = config.get_secret(key)
        return None if secret is None else _sync_await(secret.future())

    def is_secret(self, key: str) -> bool:
        return pulumi.runtime.is_config_secret(f"{self.project}:{key}")


def pulumi_config_source() -> PulumiConfigSource:
    return PulumiConfigSource(project=pulumi.get_project(), stack=pulumi.get_stack())
