"""Tag rules every AWS resource shares (the `tags` argument), applied to every `aws:` type.

Source: AWS tagging limits (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html, "Tag naming
limits and requirements"): at most 50 user tags per resource; keys 1..128 Unicode characters, values 0..256;
the `aws:` prefix is reserved for AWS. The provider schema (`tftags.TagsSchema`) has no validator of its own:
the API refuses these at create time, after earlier resources of the same `up` already exist.
"""
from __future__ import annotations

from typing import Any

from shared.aws_rules.model import Check, Rule

SOURCE = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"
MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


def count_problem(tags: Any) -> str | None:
    return None if len(tags) <= MAX_TAGS else f"has {len(tags)} tags; a resource takes at most {MAX_TAGS}"


def key_problem(tags: Any) -> str | None:
    bad = sorted(k for k in tags if not 1 <= len(k) <= MAX_KEY)
    reserved = sorted(k for k in tags if k.lower().startswith("aws:"))
    if bad:
        return f"tag keys must be 1..{MAX_KEY} characters: {', '.join(repr(k[:40]) for k in bad)}"
    return None if not reserved else f"tag keys may not begin with 'aws:' (reserved): {', '.join(reserved)}"


def value_problem(tags: Any) -> str | None:
    bad = sorted(k for k, v in tags.items() if isinstance(v, str) and len(v) > MAX_VALUE)
    return None if not bad else f"tag values must be at most {MAX_VALUE} characters: {', '.join(bad)}"


COMMON_RULES: tuple[Rule, ...] = (
    Rule(id="tags.resource.tags.count", argument="tags", constraint=Check(count_problem, "at most 50 tags"),
         message="Number of tags exceeds the limit of 50", source=SOURCE,
         fix="drop tags: shared/tagging.py sets the base tags; a resource adds few of its own",
         ok=({f"k{i}": "v" for i in range(50)},), bad=({f"k{i}": "v" for i in range(51)},)),
    Rule(id="tags.resource.tags.key", argument="tags", constraint=Check(key_problem, "keys 1..128, no aws: prefix"),
         message="Tag keys must be 1-128 characters and may not begin with aws:", source=SOURCE,
         fix="shorten or rename the tag key (shared/tagging.py)",
         ok=({"k" * 128: "v"}, {"k": "v"}, {"Name": "x"}), bad=({"k" * 129: "v"}, {"": "v"}, {"aws:owner": "x"},
                                                   {"AWS:cost": "x"})),
    Rule(id="tags.resource.tags.value", argument="tags", constraint=Check(value_problem, "values at most 256"),
         message="Tag values must be at most 256 characters", source=SOURCE,
         fix="shorten the tag value (shared/tagging.py)",
         ok=({"k": "v" * 256}, {"k": ""}), bad=({"k": "v" * 257},)),
)
