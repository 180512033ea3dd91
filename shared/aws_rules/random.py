"""Argument rules of the random provider's resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from typing import Any

from shared.aws_rules.model import Check, Range, ResourceRules, Rule

PASSWORD_SOURCE = ("https://github.com/hashicorp/terraform-provider-random/blob/main/internal/provider/"
                   "resource_password.go")
_MINIMUMS = ("minUpper", "minLower", "minNumeric", "minSpecial")


def _length_covers_minimums(password: Any) -> str | None:
    length = password.get("length")
    total = sum(password.get(key) or 0 for key in _MINIMUMS)
    if isinstance(length, (int, float)) and length < total:
        return f"length {length:g} is less than the sum of the minimums ({total:g})"
    return None


PASSWORD = ResourceRules(
    type="random:index/randomPassword:RandomPassword",
    source=PASSWORD_SOURCE,
    forces_replacement=frozenset({"length", "special", "upper", "lower", "numeric", "minUpper", "minLower",
                                  "minNumeric", "minSpecial", "overrideSpecial", "keepers"}),
    rules=(
        Rule(id="random.password.length.range", argument="length", constraint=Range(1, None),
             message="Attribute length value must be at least 1", source=PASSWORD_SOURCE,
             fix="ask for at least one character (64 for a signing key)", ok=(1.0, 64.0), bad=(0.0,)),
        Rule(id="random.password.length.covers-minimums", argument="",
             constraint=Check(_length_covers_minimums, "length >= minUpper + minLower + minNumeric + minSpecial"),
             message="Attribute length value must be at least sum of min_upper, min_lower, min_numeric, "
                     "min_special", source=PASSWORD_SOURCE, fix="raise length or lower the min_* counts",
             ok=({"length": 64.0}, {"length": 4.0, "minUpper": 1.0, "minLower": 1.0, "minNumeric": 1.0,
                                    "minSpecial": 1.0}),
             bad=({"length": 3.0, "minUpper": 1.0, "minLower": 1.0, "minNumeric": 1.0, "minSpecial": 1.0},)),
        *(Rule(id=f"random.password.{name}.range", argument=argument, constraint=Range(0, None),
               message=f"Attribute {argument} value must be at least 0", source=PASSWORD_SOURCE,
               fix="use a count of 0 or more", ok=(0.0, 2.0), bad=(-1.0,))
          for name, argument in (("min-upper", "minUpper"), ("min-lower", "minLower"),
                                 ("min-numeric", "minNumeric"), ("min-special", "minSpecial"))),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (PASSWORD,)
