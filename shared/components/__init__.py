"""ComponentResources of the projects; each takes a typed args dataclass and registers its outputs."""
from __future__ import annotations

TYPE_PREFIX = "trading"


def component_type(module: str, name: str) -> str:
    return f"{TYPE_PREFIX}:{module}:{name}"
