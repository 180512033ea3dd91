"""Argument rules of the kms resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from shared.aws_rules.iam import POLICY_JSON, VERIFY_SOURCE
from shared.aws_rules.model import (
                                    ConflictsWith,
                                    Length,
                                    NotPrefix,
                                    OneOf,
                                    Pattern,
                                    Range,
                                    RequiredWith,
                                    ResourceRules,
                                    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/kms"
KEY_SOURCE = f"{_TF}/key.go"
ALIAS_SOURCE = f"{_TF}/alias.go"
KMS_VALIDATE_SOURCE = f"{_TF}/validate.go"
CREATE_KEY = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html"
CREATE_ALIAS = "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html"

KEY_USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")
KEY_SPECS = ("SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
             "ECC_NIST_P521", "ECC_SECG_P256K1", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
             "ML_DSA_44", "ML_DSA_65", "ML_DSA_87")
_POLICY = '{"Version": "2012-10-17", "Statement": []}'

KEY = ResourceRules(
    type="aws:kms/key:Key",
    source=KEY_SOURCE,
    forces_replacement=frozenset({"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion",
                                  "xksKeyId"}),
    rules=(
        Rule(id="kms.key.deletion-window-in-days.range", argument="deletionWindowInDays", constraint=Range(7, 30),
             message="expected deletion_window_in_days to be in the range (7 - 30)", source=KEY_SOURCE,
             fix="choose a waiting period of 7 to 30 days", ok=(7.0, 30.0), bad=(6.0, 31.0)),
        Rule(id="kms.key.description.length", argument="description", constraint=Length(0, 8192),
             message="expected length of description to be in the range (0 - 8192)", source=KEY_SOURCE,
             fix="shorten the key description", ok=("", "d" * 8192), bad=("d" * 8193,)),
        Rule(id="kms.key.key-usage.enum", argument="keyUsage", constraint=OneOf(KEY_USAGES),
             message=f"expected key_usage to be one of [{' '.join(KEY_USAGES)}]", source=KEY_SOURCE,
             fix="use ENCRYPT_DECRYPT for a data key", ok=("ENCRYPT_DECRYPT", "SIGN_VERIFY"),
             bad=("encrypt_decrypt", "ENCRYPT")),
        Rule(id="kms.key.customer-master-key-spec.enum", argument="customerMasterKeySpec",
             constraint=OneOf(KEY_SPECS), message="expected customer_master_key_spec to be one of [...]",
             source=KEY_SOURCE, fix="use SYMMETRIC_DEFAULT for a data key",
             ok=("SYMMETRIC_DEFAULT", "RSA_4096", "HMAC_256"), bad=("AES_256", "RSA_1024")),
        Rule(id="kms.key.policy.json", argument="policy", constraint=POLICY_JSON,
             message='"policy" contains an invalid JSON policy', source=VERIFY_SOURCE,
             fix="pass the key policy as a JSON object string", ok=(_POLICY,), bad=("", "[]", "{")),
        Rule(id="kms.key.policy.length", argument="policy", constraint=Length(1, 32768),
             message="Member must have length less than or equal to 32768", source=CREATE_KEY,
             fix="shorten the key policy (at most 32 KB)", ok=("{", "{" + " " * 32766 + "}"),
             bad=("", "{" + " " * 32767 + "}")),
        Rule(id="kms.key.rotation-period-in-days.range", argument="rotationPeriodInDays", constraint=Range(90, 2560),
             message="expected rotation_period_in_days to be in the range (90 - 2560)", source=KEY_SOURCE,
             fix="rotate every 90 to 2560 days", ok=(90.0, 2560.0), bad=(89.0, 2561.0)),
        Rule(id="kms.key.rotation-period-in-days.requires-rotation", argument="",
             constraint=RequiredWith("rotationPeriodInDays", ("enableKeyRotation",)),
             message='"rotation_period_in_days": all of `enable_key_rotation,rotation_period_in_days` must be '
                     'specified', source=KEY_SOURCE, fix="set enableKeyRotation=True with a rotation period",
             ok=({"enableKeyRotation": True, "rotationPeriodInDays": 365.0}, {"enableKeyRotation": True}),
             bad=({"rotationPeriodInDays": 365.0},)),
        Rule(id="kms.key.custom-key-store-id.length", argument="customKeyStoreId", constraint=Length(1, 22),
             message="expected length of custom_key_store_id to be in the range (1 - 22)", source=KEY_SOURCE,
             fix="pass the custom key store's id", ok=("c", "c" * 22), bad=("", "c" * 23)),
    ),
)

ALIAS = ResourceRules(
    type="aws:kms/alias:Alias",
    source=ALIAS_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix"}),
    rules=(
        Rule(id="kms.alias.name.pattern", argument="name", constraint=Pattern(r"alias/[0-9A-Za-z_/-]+",
                                                                             "alias/ followed by [0-9A-Za-z_/-]"),
             message="must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]",
             source=KMS_VALIDATE_SOURCE, fix="build the name with physical_name('alias', ...) (shared/naming.py)",
             ok=("alias/alias-kms-network-dev", "alias/team/key_1"),
             bad=("alias-kms-network-dev", "alias/", "alias/kms.network", "Alias/kms")),
        Rule(id="kms.alias.name.reserved", argument="name", constraint=NotPrefix(("alias/aws/",)),
             message="cannot begin with reserved AWS CMK prefix 'alias/aws/'", source=KMS_VALIDATE_SOURCE,
             fix="alias/aws/ names belong to AWS managed keys: choose another name",
             ok=("alias/alias-kms-network-dev", "alias/awsome"), bad=("alias/aws/s3",)),
        Rule(id="kms.alias.name.length", argument="name", constraint=Length(1, 256),
             message="Member must have length less than or equal to 256", source=CREATE_ALIAS,
             fix="shorten the alias", ok=("a", "alias/" + "a" * 250), bad=("", "alias/" + "a" * 251)),
        Rule(id="kms.alias.name-prefix.pattern", argument="namePrefix",
             constraint=Pattern(r"alias/[0-9A-Za-z_/-]+", "alias/ followed by [0-9A-Za-z_/-]"),
             message="must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]",
             source=KMS_VALIDATE_SOURCE, fix="start the prefix with alias/", ok=("alias/kms-",), bad=("kms-",)),
        Rule(id="kms.alias.name-prefix.reserved", argument="namePrefix", constraint=NotPrefix(("alias/aws/",)),
             message="cannot begin with reserved AWS CMK prefix 'alias/aws/'", source=KMS_VALIDATE_SOURCE,
             fix="choose a prefix outside alias/aws/", ok=("alias/kms-",), bad=("alias/aws/kms-",)),
        Rule(id="kms.alias.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=ALIAS_SOURCE, fix="set name or namePrefix",
             ok=({"name": "alias/a"},), bad=({"name": "alias/a", "namePrefix": "alias/a-"},)),
        Rule(id="kms.alias.target-key-id.length", argument="targetKeyId", constraint=Length(1, 2048),
             message="Member must have length less than or equal to 2048", source=CREATE_ALIAS,
             fix="pass the key's id or ARN", ok=("k", "k" * 2048), bad=("", "k" * 2049)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (KEY, ALIAS)
