"""How the offline plan shows a Lambda's code: by content hash and repository-relative path, never by object."""
from __future__ import annotations

import hashlib

import pulumi

from tools.plan.mocks import REPO_ROOT, mask_secrets


def test_archives_are_shown_by_relative_path_and_content_hash(tmp_path):
    package = REPO_ROOT / "apps" / "jwt-rotation" / "jwt_rotation"
    outside = tmp_path / "handler.py"
    outside.write_text("print(1)\n")
    shown = mask_secrets({"code": pulumi.AssetArchive({
        "dir": pulumi.FileArchive(str(package)), "file": pulumi.FileAsset(str(outside)),
        "text": pulumi.StringAsset("x = 1")})})
    archive = shown["code"]["archive"]
    assert archive["dir"]["path"] == "apps/jwt-rotation/jwt_rotation" and len(archive["dir"]["sha256"]) == 64
    digest = hashlib.sha256(b"handler.py" + b"print(1)\n").hexdigest()
    assert archive["file"] == {"path": str(outside), "sha256": digest}
    assert archive["text"] == {"text-sha256": hashlib.sha256(b"x = 1").hexdigest()}
    # a change to the code changes the plan
    outside.write_text("print(2)\n")
    assert mask_secrets(pulumi.FileAsset(str(outside)))["sha256"] != archive["file"]["sha256"]
