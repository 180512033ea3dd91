"""Argument rules of the wafv2 resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

from shared.aws_rules.iam import ARN, VERIFY_SOURCE
from shared.aws_rules.model import Check, Length, OneOf, Pattern, Range, ResourceRules, Rule, Unique

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/wafv2"
WEB_ACL_SOURCE = f"{_TF}/web_acl.go"
SCHEMAS_SOURCE = f"{_TF}/schemas.go"
ASSOCIATION_SOURCE = f"{_TF}/web_acl_association.go"
CREATE_WEB_ACL = "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html"
RULE = "https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html"
RATE_BASED = "https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html"
_NAME = Pattern(r"[0-9A-Za-z_-]+", "letters, digits, - and _")
_NAME_MESSAGE = "must contain only alphanumeric hyphen and underscore characters"
_ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-prod/0a0fa7aafd00a816"
_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/waf-prod/69b37bcb-69b3-0000-0000-69b37bcb1423"

WEB_ACL = ResourceRules(
    type="aws:wafv2/webAcl:WebAcl",
    source=WEB_ACL_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "scope"}),
    rules=(
        Rule(id="wafv2.web-acl.name.length", argument="name", constraint=Length(1, 128),
             message="expected length of name to be in the range (1 - 128)", source=WEB_ACL_SOURCE,
             fix="shorten the web ACL name", ok=("w", "w" * 128), bad=("", "w" * 129)),
        Rule(id="wafv2.web-acl.name.pattern", argument="name", constraint=_NAME, message=_NAME_MESSAGE,
             source=WEB_ACL_SOURCE, fix="use letters, digits, - and _ only", ok=("waf-prod", "waf_prod"),
             bad=("waf prod", "waf.prod")),
        Rule(id="wafv2.web-acl.scope.enum", argument="scope", constraint=OneOf(("CLOUDFRONT", "REGIONAL")),
             message="expected scope to be one of [CLOUDFRONT REGIONAL]", source=WEB_ACL_SOURCE,
             fix="use REGIONAL for an ALB", ok=("REGIONAL", "CLOUDFRONT"), bad=("regional", "GLOBAL")),
        Rule(id="wafv2.web-acl.description.length", argument="description", constraint=Length(1, 256),
             message="expected length of description to be in the range (1 - 256)", source=WEB_ACL_SOURCE,
             fix="shorten the description", ok=("d", "d" * 256), bad=("", "d" * 257)),
        Rule(id="wafv2.web-acl.visibility-config.metric-name.length", argument="visibilityConfig.metricName",
             constraint=Length(1, 128), message="expected length of metric_name to be in the range (1 - 128)",
             source=SCHEMAS_SOURCE, fix="shorten the metric name", ok=("m", "m" * 128), bad=("", "m" * 129)),
        Rule(id="wafv2.web-acl.visibility-config.metric-name.pattern", argument="visibilityConfig.metricName",
             constraint=_NAME, message=_NAME_MESSAGE, source=SCHEMAS_SOURCE, fix="use letters, digits, - and _ only",
             ok=("waf-prod-acl",), bad=("waf prod acl", "waf:prod")),
        Rule(id="wafv2.web-acl.rules.priority.unique", argument="rules", constraint=Unique("priority"),
             message="WAFDuplicateItemException: rule priorities must be unique", source=RULE,
             fix="give every rule its own priority", ok=([{"name": "a", "priority": 1.0},
                                                          {"name": "b", "priority": 2.0}],),
             bad=([{"name": "a", "priority": 1.0}, {"name": "b", "priority": 1.0}],)),
        Rule(id="wafv2.web-acl.rules.name.unique", argument="rules", constraint=Unique("name"),
             message="WAFDuplicateItemException: rule names must be unique", source=RULE,
             fix="give every rule its own name", ok=([{"name": "a", "priority": 1.0},
                                                      {"name": "b", "priority": 2.0}],),
             bad=([{"name": "a", "priority": 1.0}, {"name": "a", "priority": 2.0}],)),
        Rule(id="wafv2.web-acl.rules.priority.range", argument="rules[].priority", constraint=Range(0, None),
             message="Priority: Valid Range: Minimum value of 0", source=RULE, fix="use priorities 0, 1, 2, ...",
             ok=(0.0, 3.0), bad=(-1.0,)),
        Rule(id="wafv2.web-acl.rules.name.length", argument="rules[].name", constraint=Length(1, 128),
             message="expected length of rule.0.name to be in the range (1 - 128)", source=SCHEMAS_SOURCE,
             fix="shorten the rule name", ok=("r", "r" * 128), bad=("", "r" * 129)),
        Rule(id="wafv2.web-acl.rules.name.pattern", argument="rules[].name", constraint=_NAME, message=(
             "Name: Member must satisfy regular expression pattern: ^[\\w\\-]+$"), source=RULE,
             fix="use letters, digits, - and _ only", ok=("AWSManagedRulesCommonRuleSet", "rate-limit-per-ip"),
             bad=("rate limit",)),
        Rule(id="wafv2.web-acl.rules.visibility-config.metric-name.length",
             argument="rules[].visibilityConfig.metricName", constraint=Length(1, 128),
             message="expected length of metric_name to be in the range (1 - 128)", source=SCHEMAS_SOURCE,
             fix="shorten the metric name", ok=("m", "m" * 128), bad=("", "m" * 129)),
        Rule(id="wafv2.web-acl.rules.visibility-config.metric-name.pattern",
             argument="rules[].visibilityConfig.metricName", constraint=_NAME, message=_NAME_MESSAGE,
             source=SCHEMAS_SOURCE, fix="use letters, digits, - and _ only",
             ok=("waf-prod-AWSManagedRulesCommonRuleSet",), bad=("waf prod",)),
        Rule(id="wafv2.web-acl.rules.rate-based-statement.limit.range",
             argument="rules[].statement.rateBasedStatement.limit", constraint=Range(10, 2000000000),
             message="Limit: Valid Range: Minimum value of 10. Maximum value of 2000000000.", source=RATE_BASED,
             fix="limit requests per evaluation window to 10..2,000,000,000",
             ok=(10.0, 2000.0, 2000000000.0), bad=(9.0, 2000000001.0)),
        Rule(id="wafv2.web-acl.rules.rate-based-statement.aggregate-key-type.enum",
             argument="rules[].statement.rateBasedStatement.aggregateKeyType",
             constraint=OneOf(("CONSTANT", "CUSTOM_KEYS", "FORWARDED_IP", "IP")),
             message="expected aggregate_key_type to be one of [CONSTANT CUSTOM_KEYS FORWARDED_IP IP]",
             source=SCHEMAS_SOURCE, fix="aggregate by IP", ok=("IP", "FORWARDED_IP"), bad=("ip", "SOURCE_IP")),
        Rule(id="wafv2.web-acl.rules.rate-based-statement.evaluation-window-sec.enum",
             argument="rules[].statement.rateBasedStatement.evaluationWindowSec",
             constraint=OneOf((60, 120, 300, 600)),
             message="expected evaluation_window_sec to be one of [60 120 300 600]", source=SCHEMAS_SOURCE,
             fix="use 60, 120, 300 or 600 seconds", ok=(60.0, 300.0), bad=(30.0, 900.0)),
    ),
)

WEB_ACL_ASSOCIATION = ResourceRules(
    type="aws:wafv2/webAclAssociation:WebAclAssociation",
    source=ASSOCIATION_SOURCE,
    forces_replacement=frozenset({"resourceArn", "webAclArn"}),
    rules=(
        Rule(id="wafv2.web-acl-association.resource-arn.arn", argument="resourceArn", constraint=ARN,
             message='"resource_arn" is an invalid ARN', source=VERIFY_SOURCE,
             fix="pass the load balancer's ARN (alb.arn)", ok=(_ALB,), bad=("alb-prod", "arn:aws:elb")),
        Rule(id="wafv2.web-acl-association.web-acl-arn.arn", argument="webAclArn", constraint=ARN,
             message='"web_acl_arn" is an invalid ARN', source=VERIFY_SOURCE, fix="pass the web ACL's ARN (acl.arn)",
             ok=(_ACL,), bad=("waf-prod",)),
        Rule(id="wafv2.web-acl-association.web-acl-arn.regional", argument="webAclArn",
             constraint=Pattern(r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/.+",
                                "a REGIONAL web ACL's ARN"),
             message="WAFInvalidParameterException: an ALB takes a web ACL of scope REGIONAL", source=(
                 "https://docs.aws.amazon.com/waf/latest/APIReference/API_AssociateWebACL.html"),
             fix="create the web ACL with scope=REGIONAL in the load balancer's region", ok=(_ACL,),
             bad=("arn:aws:wafv2:us-east-1:123456789012:global/webacl/waf-prod/69b37bcb",)),
    ),
)

LOGGING_SOURCE = f"{_TF}/web_acl_logging_configuration.go"
LOGGING_DESTINATIONS = "https://docs.aws.amazon.com/waf/latest/developerguide/logging-destinations.html"
_LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-waf-prod"

WEB_ACL_LOGGING = ResourceRules(
    type="aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    source=LOGGING_SOURCE,
    forces_replacement=frozenset({"resourceArn"}),
    rules=(
        Rule(id="wafv2.web-acl-logging.resource-arn.arn", argument="resourceArn", constraint=ARN,
             message='"resource_arn" is an invalid ARN', source=VERIFY_SOURCE, fix="pass the web ACL's ARN (acl.arn)",
             ok=(_ACL,), bad=("waf-prod",)),
        Rule(id="wafv2.web-acl-logging.destinations.count", argument="logDestinationConfigs",
             constraint=Check(lambda v: None if isinstance(v, list) and len(v) == 1
                              else "WAF logs to exactly one destination", "exactly one destination"),
             message="Attribute log_destination_configs requires 1 item minimum, 1 item maximum",
             source=LOGGING_SOURCE, fix="give one log group ARN", ok=([_LOG_GROUP],), bad=([], [_LOG_GROUP] * 2)),
        Rule(id="wafv2.web-acl-logging.destinations.log-group-prefix", argument="logDestinationConfigs[]",
             constraint=Pattern(r"arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:aws-waf-logs-[^:*]+",
                                "the ARN (without :*) of a log group named aws-waf-logs-..."),
             message="WAFInvalidParameterException: Error reason: The ARN isn't valid. A valid ARN begins with arn: "
                     "and includes other information separated by colons or slashes., field: LOG_DESTINATION",
             source=LOGGING_DESTINATIONS, fix="name the log group aws-waf-logs-<...> and pass group.arn",
             ok=(_LOG_GROUP,), bad=(_LOG_GROUP.replace("aws-waf-logs-", "log-"), _LOG_GROUP + ":*")),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (WEB_ACL, WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING)
