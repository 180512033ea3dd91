"""The rotation function is imported as Lambda runs it: `apps/jwt-rotation` on the path, its package at the root."""
from __future__ import annotations

import sys

from tools.local import APPS_DIR

for directory in ("jwt-rotation", "common"):
    path = str(APPS_DIR / directory)
    if path not in sys.path:
        sys.path.insert(0, path)
