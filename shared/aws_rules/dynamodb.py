"""Argument rules of the dynamodb resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from typing import Any

from shared.aws_rules.iam import ARN, VERIFY_SOURCE
from shared.aws_rules.model import Check, ConflictsWith, Length, OneOf, Pattern, Range, ResourceRules, Rule

TABLE_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/dynamodb/table.go"
CREATE_TABLE = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html"
PITR = ("https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/"
        "API_PointInTimeRecoverySpecification.html")


def _key_names(table: dict) -> set[str]:
    keys = {table.get("hashKey"), table.get("rangeKey")}
    for index in table.get("globalSecondaryIndexes") or []:
        keys |= {index.get("hashKey"), index.get("rangeKey")}
    for index in table.get("localSecondaryIndexes") or []:
        keys.add(index.get("rangeKey"))
    return {k for k in keys if k}


def _attributes_problem(table: dict) -> str | None:
    """The provider's `validateTableAttributes` CustomizeDiff: attributes are exactly the key attributes (no
    attributes at all leaves every key unmatched)."""
    declared = {str(a.get("name")) for a in table.get("attributes") or [] if isinstance(a, dict)}
    keys = _key_names(table)
    problems = []
    if declared - keys:
        problems.append(f"all attributes must be indexed. Unused attributes: {sorted(declared - keys)}")
    if keys - declared:
        problems.append(f"all indexes must match a defined attribute. Unmatched indexes: {sorted(keys - declared)}")
    return "; ".join(problems) or None


def _ttl_problem(ttl: Any) -> str | None:
    if isinstance(ttl, dict) and ttl.get("enabled") and not ttl.get("attributeName"):
        return "TTL attributeName must be set when TTL is enabled"
    return None


_TABLE = {"hashKey": "tradeId", "attributes": [{"name": "tradeId", "type": "S"}]}
_INDEXED_ATTRIBUTES = [{"name": "tradeId", "type": "S"}, {"name": "tradedAt", "type": "N"},
                       {"name": "symbol", "type": "S"}, {"name": "price", "type": "N"}]

TABLE = ResourceRules(
    type="aws:dynamodb/table:Table",
    source=TABLE_SOURCE,
    forces_replacement=frozenset({"name", "hashKey", "rangeKey", "localSecondaryIndexes", "restoreDateTime",
                                  "restoreToLatestTime"}),
    rules=(
        Rule(id="dynamodb.table.name.length", argument="name", constraint=Length(3, 255),
             message="TableName: Member must have length greater than or equal to 3 and less than or equal to 255",
             source=CREATE_TABLE, fix="name the table 3 to 255 characters (shared/naming.py 'ddb')",
             ok=("ddb", "d" * 255), bad=("dd", "d" * 256)),
        Rule(id="dynamodb.table.name.pattern", argument="name", constraint=Pattern(r"[a-zA-Z0-9_.-]+",
                                                                                  "letters, digits, _ . -"),
             message="TableName: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", source=CREATE_TABLE,
             fix="use letters, digits, _ . - only", ok=("ddb-trades-dev", "Trades_v2.1"), bad=("ddb trades", "ddb/t")),
        Rule(id="dynamodb.table.billing-mode.enum", argument="billingMode",
             constraint=OneOf(("PROVISIONED", "PAY_PER_REQUEST")),
             message="expected billing_mode to be one of [PROVISIONED PAY_PER_REQUEST]", source=TABLE_SOURCE,
             fix="use PAY_PER_REQUEST (on demand) or PROVISIONED", ok=("PAY_PER_REQUEST", "PROVISIONED"),
             bad=("ON_DEMAND", "pay_per_request")),
        Rule(id="dynamodb.table.attributes.type.enum", argument="attributes[].type", constraint=OneOf(("S", "N", "B")),
             message="expected type to be one of [S N B]", source=TABLE_SOURCE,
             fix="key attributes are S (string), N (number) or B (binary)", ok=("S", "N", "B"), bad=("s", "BOOL")),
        Rule(id="dynamodb.table.attributes.name.length", argument="attributes[].name", constraint=Length(1, 255),
             message="AttributeName: Member must have length less than or equal to 255", source=CREATE_TABLE,
             fix="shorten the attribute name", ok=("a", "a" * 255), bad=("", "a" * 256)),
        Rule(id="dynamodb.table.attributes.indexed", argument="", constraint=Check(
             _attributes_problem, "attributes declared exactly for hashKey, rangeKey and index keys"),
             message='all attributes must be indexed. Unused attributes: [...] / all indexes must match a defined '
                     'attribute. Unmatched indexes: [...]', source=TABLE_SOURCE,
             fix="declare an attribute for each key (hashKey, rangeKey, index keys) and no other",
             ok=(_TABLE, {"hashKey": "pk", "rangeKey": "sk", "attributes": [{"name": "pk", "type": "S"},
                                                                             {"name": "sk", "type": "N"}]},
                 {**_TABLE, "rangeKey": "tradedAt", "attributes": _INDEXED_ATTRIBUTES,
                  "globalSecondaryIndexes": [{"name": "by-symbol", "hashKey": "symbol", "rangeKey": "tradedAt"}],
                  "localSecondaryIndexes": [{"name": "by-price", "rangeKey": "price"}]}),
             bad=({"hashKey": "id", "attributes": [{"name": "tradeId", "type": "S"}]},
                  {**_TABLE, "attributes": [{"name": "tradeId", "type": "S"}, {"name": "price", "type": "N"}]},
                  {"hashKey": "tradeId"},
                  {**_TABLE, "globalSecondaryIndexes": [{"name": "by-symbol", "hashKey": "symbol"}]},
                  {**_TABLE, "rangeKey": "tradedAt", "attributes": _INDEXED_ATTRIBUTES[:2],
                   "localSecondaryIndexes": [{"name": "by-price", "rangeKey": "price"}]})),
        Rule(id="dynamodb.table.hash-key.length", argument="hashKey", constraint=Length(1, 255),
             message="AttributeName: Member must have length less than or equal to 255", source=CREATE_TABLE,
             fix="shorten the key attribute name", ok=("k", "k" * 255), bad=("", "k" * 256)),
        Rule(id="dynamodb.table.read-capacity.conflicts", argument="",
             constraint=ConflictsWith(("readCapacity", "onDemandThroughput")),
             message='"read_capacity": conflicts with on_demand_throughput', source=TABLE_SOURCE,
             fix="set provisioned capacity or on-demand throughput, not both", ok=({"readCapacity": 5.0},),
             bad=({"readCapacity": 5.0, "onDemandThroughput": {"maxReadRequestUnits": 10.0}},)),
        Rule(id="dynamodb.table.point-in-time-recovery.recovery-period.range",
             argument="pointInTimeRecovery.recoveryPeriodInDays", constraint=Range(1, 35),
             message="RecoveryPeriodInDays: valid range 1 to 35", source=PITR, fix="keep backups 1 to 35 days",
             ok=(1.0, 35.0), bad=(0.0, 36.0)),
        Rule(id="dynamodb.table.ttl.attribute-name", argument="ttl", constraint=Check(_ttl_problem,
                                                                                     "attributeName when enabled"),
             message="TimeToLiveSpecification: AttributeName is required", source=(
                 "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TimeToLiveSpecification.html"),
             fix="name the epoch-seconds attribute that expires items", ok=({"enabled": True, "attributeName": "ttl"},
                                                                             {"enabled": False}),
             bad=({"enabled": True},)),
        Rule(id="dynamodb.table.server-side-encryption.kms-key-arn.arn", argument="serverSideEncryption.kmsKeyArn",
             constraint=ARN, message='"server_side_encryption.0.kms_key_arn" is an invalid ARN',
             source=VERIFY_SOURCE, fix="pass the key's ARN (key.arn), not its id",
             ok=("arn:aws:kms:us-east-1:123456789012:key/54b648b5-ebc4-4e68-32fa-f33be3a55825", ""),
             bad=("54b648b5-ebc4-4e68-32fa-f33be3a55825",)),
        Rule(id="dynamodb.table.stream-view-type.enum", argument="streamViewType",
             constraint=OneOf(("", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")),
             message="expected stream_view_type to be one of [NEW_IMAGE OLD_IMAGE NEW_AND_OLD_IMAGES KEYS_ONLY ]",
             source=TABLE_SOURCE, fix="use NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE or KEYS_ONLY",
             ok=("NEW_AND_OLD_IMAGES",), bad=("ALL",)),
        Rule(id="dynamodb.table.table-class.enum", argument="tableClass",
             constraint=OneOf(("STANDARD", "STANDARD_INFREQUENT_ACCESS")),
             message="expected table_class to be one of [STANDARD STANDARD_INFREQUENT_ACCESS]", source=TABLE_SOURCE,
             fix="use STANDARD", ok=("STANDARD",), bad=("IA",)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (TABLE,)
