"""Settings of the registry project: how long images live."""
from __future__ import annotations

import re
from dataclasses import dataclass

from shared.settings import CommonSettings, ConfigReader, ConfigSource, read_common

# https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html: a tag pattern
# holds letters, digits and `-_.*`, with at most four `*` wildcards.
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_.*-]{1,128}$")
MAX_WILDCARDS = 4
MAX_EXPIRY_DAYS = 3650  # ten years: anything longer means "never", which the `any` rule must not say
# ECR's default quota is 20,000 images per repository:
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
MAX_RELEASE_IMAGES = 20000


@dataclass(frozen=True)
class RegistrySettings:
    common: CommonSettings
    image_expiry_days: int
    release_images_kept: int
    release_tag_patterns: tuple[str, ...]


def load_registry_settings(source: ConfigSource) -> RegistrySettings:
    reader = ConfigReader(source)
    common = read_common(reader, environment=source.stack)
    expiry = reader.integer("imageExpiryDays", minimum=1, maximum=MAX_EXPIRY_DAYS)
    kept = reader.integer("releaseImagesKept", minimum=1, maximum=MAX_RELEASE_IMAGES)
    patterns = reader.string_list("releaseTagPatterns")
    reader.check(bool(patterns), "releaseTagPatterns", list(patterns), "is empty, so no image counts as a release "
                 "and every image would expire", "list at least one pattern, e.g. '*' (every tagged image)")
    bad = [p for p in patterns if not TAG_PATTERN.fullmatch(p) or p.count("*") > MAX_WILDCARDS]
    reader.check(not bad, "releaseTagPatterns", bad, f"are not ECR tag patterns (letters, digits, '-_.*', at most "
                 f"{MAX_WILDCARDS} wildcards)", "fix or remove those patterns")
    return reader.finish(RegistrySettings(common, expiry, kept, patterns))
