"""Argument rules of the elbv2 resources this repository creates (see shared/aws_rules/model.py).

Load balancer, listener, listener rule and target group: the terraform-provider-aws validators of
`internal/service/elbv2` (names ≤ 32, `name_prefix` ≤ 6 = 32 - the 26-character unique suffix, priorities,
health-check ranges, action blocks) and the ELB API constraints the provider leaves to AWS.
"""
from __future__ import annotations

import re
from typing import Any

from shared.aws_rules.model import (
    Check,
    ConflictsWith,
    ExactlyOneOf,
    Length,
    NotPrefix,
    NotSuffix,
    OneOf,
    Pattern,
    Prefix,
    Range,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/"
VALIDATE_SOURCE = _TF + "validate.go"
LB_SOURCE = _TF + "load_balancer.go"
LISTENER_SOURCE = _TF + "listener.go"
RULE_SOURCE = _TF + "listener_rule.go"
TG_SOURCE = _TF + "target_group.go"
ARN_SOURCE = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go"
_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/"
API_CREATE_LB = _API + "API_CreateLoadBalancer.html"
API_CREATE_LISTENER = _API + "API_CreateListener.html"
API_CREATE_TG = _API + "API_CreateTargetGroup.html"
API_MATCHER = _API + "API_Matcher.html"

NAMING_FIX = "shared/naming.py"

_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d{1,2})?:"
                  r"(\d{12}|aws|aws-managed|third-party|aws-marketplace)?:(.+)")


def _arn_problem(value: Any) -> str | None:
    if not isinstance(value, str) or _ARN.fullmatch(value) is None:
        return f"{value!r} is an invalid ARN"
    return None


def _arn_rule(rid: str, argument: str, tf_name: str, fix: str, ok: str) -> Rule:
    return Rule(id=rid, argument=argument, constraint=Check(_arn_problem, "an ARN"),
                message=f'"{tf_name}" is an invalid ARN', source=ARN_SOURCE, fix=fix, ok=(ok,),
                bad=(ok.split(":")[-1].split("/")[-1] or "name", "arn:aws:elasticloadbalancing"))


_NAME_CHARS = Pattern(r"[0-9A-Za-z-]+", "only alphanumeric characters and hyphens")

# --- load balancer ----------------------------------------------------------------------------------------


def _alb_subnets(value: Any) -> str | None:
    if not isinstance(value, dict) or (value.get("loadBalancerType") or "application") != "application":
        return None
    subnets = value.get("subnets")
    if isinstance(subnets, list) and len(subnets) < 2:
        return f"an application load balancer needs subnets in at least two Availability Zones, not {len(subnets)}"
    return None


LOAD_BALANCER = ResourceRules(
    type="aws:lb/loadBalancer:LoadBalancer",
    source=LB_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"}),
    rules=(
        Rule(id="elbv2.load-balancer.name.length", argument="name", constraint=Length(0, 32),
             message='"name" cannot be longer than 32 characters', source=VALIDATE_SOURCE,
             fix=f"shorten the load balancer name to 32 characters ({NAMING_FIX})",
             ok=("a" * 32, "alb-dev"), bad=("a" * 33,)),
        Rule(id="elbv2.load-balancer.name.characters", argument="name", constraint=_NAME_CHARS,
             message='only alphanumeric characters and hyphens allowed in "name"', source=VALIDATE_SOURCE,
             fix=f"use only letters, digits and hyphens ({NAMING_FIX})", ok=("alb-prod",),
             bad=("alb_prod", "alb.prod")),
        Rule(id="elbv2.load-balancer.name.leading-hyphen", argument="name", constraint=NotPrefix(("-",)),
             message='"name" cannot begin with a hyphen', source=VALIDATE_SOURCE,
             fix=f"start the name with a letter or digit ({NAMING_FIX})", ok=("alb-dev",), bad=("-alb-dev",)),
        Rule(id="elbv2.load-balancer.name.trailing-hyphen", argument="name", constraint=NotSuffix(("-",)),
             message='"name" cannot end with a hyphen', source=VALIDATE_SOURCE,
             fix=f"end the name with a letter or digit ({NAMING_FIX})", ok=("alb-dev",), bad=("alb-dev-",)),
        Rule(id="elbv2.load-balancer.name.reserved", argument="name", constraint=NotPrefix(("internal-",)),
             message='"name" cannot begin with "internal-"', source=VALIDATE_SOURCE,
             fix=f"do not start a load balancer name with 'internal-' ({NAMING_FIX})",
             ok=("alb-internal",), bad=("internal-alb",)),
        Rule(id="elbv2.load-balancer.name-prefix.length", argument="namePrefix", constraint=Length(0, 6),
             message='"name_prefix" cannot be longer than 6 characters', source=VALIDATE_SOURCE,
             fix=f"shorten the name prefix to 6 characters: the provider appends a 26-character suffix ({NAMING_FIX})",
             ok=("albdv-",), bad=("alb-dev",)),
        Rule(id="elbv2.load-balancer.name-prefix.characters", argument="namePrefix", constraint=_NAME_CHARS,
             message='only alphanumeric characters and hyphens allowed in "name_prefix"', source=VALIDATE_SOURCE,
             fix=f"use only letters, digits and hyphens ({NAMING_FIX})", ok=("alb-",), bad=("alb_",)),
        Rule(id="elbv2.load-balancer.name-prefix.leading-hyphen", argument="namePrefix", constraint=NotPrefix(("-",)),
             message='"name_prefix" cannot begin with a hyphen', source=VALIDATE_SOURCE,
             fix=f"start the prefix with a letter or digit ({NAMING_FIX})", ok=("alb-",), bad=("-alb",)),
        Rule(id="elbv2.load-balancer.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=LB_SOURCE, fix="set name or namePrefix, not both",
             ok=({"name": "alb-dev"},), bad=({"name": "alb-dev", "namePrefix": "alb-"},)),
        Rule(id="elbv2.load-balancer.type.enum", argument="loadBalancerType",
             constraint=OneOf(("application", "network", "gateway")),
             message='expected load_balancer_type to be one of ["application" "network" "gateway"]',
             source=LB_SOURCE, fix="use application, network or gateway", ok=("application",),
             bad=("alb", "Application")),
        Rule(id="elbv2.load-balancer.subnets.exactly-one", argument="",
             constraint=ExactlyOneOf(("subnets", "subnetMappings")),
             message='"subnets": one of `subnet_mapping,subnets` must be specified', source=LB_SOURCE,
             fix="place the load balancer with subnets or subnetMappings (one of them)",
             ok=({"subnets": ["subnet-1", "subnet-2"]},),
             bad=({}, {"subnets": ["subnet-1"], "subnetMappings": [{"subnetId": "subnet-1"}]})),
        Rule(id="elbv2.load-balancer.subnets.two-zones", argument="",
             constraint=Check(_alb_subnets, "an application load balancer spans at least two subnets"),
             message="[Application Load Balancers] You must specify subnets from at least two Availability Zones.",
             source=API_CREATE_LB, fix="give the ALB the public subnets of at least two zones",
             ok=({"loadBalancerType": "application", "subnets": ["subnet-1", "subnet-2"]},
                 {"loadBalancerType": "network", "subnets": ["subnet-1"]}),
             bad=({"loadBalancerType": "application", "subnets": ["subnet-1"]},)),
    ),
)

# --- actions shared by listeners and listener rules -------------------------------------------------------

_ACTION_TYPES = ("forward", "authenticate-oidc", "authenticate-cognito", "redirect", "fixed-response",
                 "jwt-validation")


def _action_type(value: Any) -> str | None:
    if isinstance(value, str) and value.lower() in _ACTION_TYPES:
        return None
    return f"must be one of {', '.join(_ACTION_TYPES)} (any case)"


def _redirect_port(value: Any) -> str | None:
    if value == "#{port}":
        return None
    if isinstance(value, str) and value.isdigit() and 1 <= int(value) <= 65535:
        return None
    return "must be #{port} or a port from 1 to 65535"


def _action_rules(prefix: str, path: str, tf: str, source: str) -> tuple[Rule, ...]:
    return (
        Rule(id=f"{prefix}.type.enum", argument=f"{path}.type",
             constraint=Check(_action_type, "an ELB action type (case-insensitive)"),
             message=f'expected {tf}.0.type to be one of ["forward" "authenticate-oidc" "authenticate-cognito" '
                     '"redirect" "fixed-response" "jwt-validation"]',
             source=source, fix="use forward, redirect or fixed-response",
             ok=("forward", "fixed-response", "REDIRECT"), bad=("forward-to", "respond")),
        Rule(id=f"{prefix}.order.range", argument=f"{path}.order", constraint=Range(1, 50000),
             message=f"expected {tf}.0.order to be in the range (1 - 50000)", source=source,
             fix="order actions from 1 to 50000", ok=(1.0, 50000.0), bad=(0.0, 50001.0)),
        Rule(id=f"{prefix}.fixed-response.content-type.enum", argument=f"{path}.fixedResponse.contentType",
             constraint=OneOf(("text/plain", "text/css", "text/html", "application/javascript", "application/json")),
             message=f'expected {tf}.0.fixed_response.0.content_type to be one of ["text/plain" "text/css" '
                     '"text/html" "application/javascript" "application/json"]',
             source=source, fix="use one of the five content types ELB serves",
             ok=("text/plain", "application/json"), bad=("text/xml", "TEXT/PLAIN")),
        Rule(id=f"{prefix}.fixed-response.status-code.pattern", argument=f"{path}.fixedResponse.statusCode",
             constraint=Pattern(r"[245]\d\d", "a 2XX, 4XX or 5XX status code"),
             message=f'invalid value for {tf}.0.fixed_response.0.status_code (must match ^[245]\\d\\d$)',
             source=source, fix="answer with a 2XX, 4XX or 5XX code", ok=("404", "200", "503"), bad=("301", "4040")),
        Rule(id=f"{prefix}.fixed-response.message-body.length", argument=f"{path}.fixedResponse.messageBody",
             constraint=Length(0, 1024),
             message=f"expected length of {tf}.0.fixed_response.0.message_body to be in the range (0 - 1024)",
             source=RULE_SOURCE, fix="keep the fixed response body within 1024 characters",
             ok=("b" * 1024, "Not Found"), bad=("b" * 1025,)),
        Rule(id=f"{prefix}.redirect.status-code.enum", argument=f"{path}.redirect.statusCode",
             constraint=OneOf(("HTTP_301", "HTTP_302")),
             message=f'expected {tf}.0.redirect.0.status_code to be one of ["HTTP_301" "HTTP_302"]',
             source=source, fix="redirect with HTTP_301 or HTTP_302", ok=("HTTP_301", "HTTP_302"),
             bad=("301", "HTTP_307")),
        Rule(id=f"{prefix}.redirect.protocol.enum", argument=f"{path}.redirect.protocol",
             constraint=OneOf(("#{protocol}", "HTTP", "HTTPS")),
             message=f'expected {tf}.0.redirect.0.protocol to be one of ["#{{protocol}}" "HTTP" "HTTPS"]',
             source=source, fix="redirect to HTTP, HTTPS or #{protocol}", ok=("HTTPS", "#{protocol}"),
             bad=("https", "TCP")),
        Rule(id=f"{prefix}.redirect.port.range", argument=f"{path}.redirect.port",
             constraint=Check(_redirect_port, "#{port} or 1..65535"),
             message="Port: The port. You can specify a value from 1 to 65535 or #{port}.",
             source=_API + "API_RedirectActionConfig.html", fix="redirect to a port from 1 to 65535 or #{port}",
             ok=("443", "65535", "1", "#{port}"), bad=("0", "65536", "https")),
        Rule(id=f"{prefix}.forward.target-groups.count", argument=f"{path}.forward.targetGroups",
             constraint=Check(lambda v: None if isinstance(v, list) and 1 <= len(v) <= 5
                              else "must list 1 to 5 target groups", "1 to 5 target groups"),
             message=f"{tf}.0.forward.0.target_group: attribute supports 1 to 5 items", source=source,
             fix="forward to between one and five target groups",
             ok=([{"arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/1"}],
                 [{"arn": f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t{i}/1"}
                  for i in range(5)]),
             bad=([], [{"arn": f"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t{i}/1"}
                       for i in range(6)])),
        Rule(id=f"{prefix}.forward.target-group.weight.range", argument=f"{path}.forward.targetGroups[].weight",
             constraint=Range(0, 999),
             message=f"expected {tf}.0.forward.0.target_group.0.weight to be in the range (0 - 999)", source=source,
             fix="weigh target groups from 0 to 999", ok=(0.0, 999.0, 100.0), bad=(-1.0, 1000.0)),
        Rule(id=f"{prefix}.forward.target-group.arn.arn", argument=f"{path}.forward.targetGroups[].arn",
             constraint=Check(_arn_problem, "an ARN"),
             message=f'"{tf}.0.forward.0.target_group.0.arn" is an invalid ARN', source=ARN_SOURCE,
             fix="forward to target group ARNs",
             ok=("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-frontend-prod/156e63a649646607",),
             bad=("tg-frontend-prod",)),
        Rule(id=f"{prefix}.forward.stickiness.duration.range", argument=f"{path}.forward.stickiness.duration",
             constraint=Range(1, 604800),
             message=f"expected {tf}.0.forward.0.stickiness.0.duration to be in the range (1 - 604800)",
             source=source, fix="keep stickiness between 1 second and 7 days", ok=(1.0, 604800.0), bad=(0.0, 604801.0)),
        Rule(id=f"{prefix}.target-group-arn.arn", argument=f"{path}.targetGroupArn",
             constraint=Check(_arn_problem, "an ARN"),
             message=f'"{tf}.0.target_group_arn" is an invalid ARN', source=ARN_SOURCE,
             fix="forward to a target group ARN",
             ok=("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg-frontend-dev/156e63a649646607",),
             bad=("tg-frontend-dev",)),
    )


# --- listener ---------------------------------------------------------------------------------------------

_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC")


def _listener_certificate(value: dict) -> str | None:
    protocol = str(value.get("protocol") or "").upper()
    if protocol in ("HTTPS", "TLS") and not value.get("certificateArn"):
        return f"an {protocol} listener needs certificateArn"
    return None


LISTENER = ResourceRules(
    type="aws:lb/listener:Listener",
    source=LISTENER_SOURCE,
    forces_replacement=frozenset({"loadBalancerArn"}),
    rules=(
        Rule(id="elbv2.listener.port.range", argument="port", constraint=Range(1, 65535),
             message='expected "port" to be a valid port number, got: 0', source=LISTENER_SOURCE,
             fix="listen on a port from 1 to 65535", ok=(1.0, 65535.0, 443.0), bad=(0.0, 65536.0)),
        Rule(id="elbv2.listener.protocol.enum", argument="protocol",
             constraint=Check(lambda v: None if isinstance(v, str) and v.upper() in _PROTOCOLS
                              else f"must be one of {', '.join(_PROTOCOLS)}", "an ELB protocol (case-insensitive)"),
             message='expected protocol to be one of ["HTTP" "HTTPS" "TCP" "TLS" "UDP" "TCP_UDP" "GENEVE" "QUIC" '
                     '"TCP_QUIC"]',
             source=LISTENER_SOURCE, fix="use HTTP or HTTPS on an application load balancer",
             ok=("HTTP", "https"), bad=("HTTP2", "SSL")),
        Rule(id="elbv2.listener.certificate.required", argument="",
             constraint=Check(_listener_certificate, "HTTPS and TLS listeners carry a certificate"),
             message="Certificates: [HTTPS and TLS listeners] The default certificate for the listener. You must "
                     "provide exactly one certificate.",
             source=API_CREATE_LISTENER, fix="set the platform certificateArn config for HTTPS (prod)",
             ok=({"protocol": "HTTPS", "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"},
                 {"protocol": "HTTP"}),
             bad=({"protocol": "HTTPS"}, {"protocol": "TLS", "certificateArn": ""})),
        _arn_rule("elbv2.listener.certificate-arn.arn", "certificateArn", "certificate_arn",
                  "pass an ACM certificate ARN",
                  "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"),
        _arn_rule("elbv2.listener.load-balancer-arn.arn", "loadBalancerArn", "load_balancer_arn",
                  "pass the load balancer's ARN",
                  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-dev/0a0fa7aafd00a816"),
        Rule(id="elbv2.listener.ssl-policy.prefix", argument="sslPolicy", constraint=Prefix(("ELBSecurityPolicy-",)),
             message="SslPolicy: [HTTPS and TLS listeners] The security policy that defines which protocols and "
                     "ciphers are supported.",
             source=API_CREATE_LISTENER, fix="use a predefined ELBSecurityPolicy-* policy name",
             ok=("ELBSecurityPolicy-TLS13-1-2-2021-06",), bad=("TLS13-1-2-2021-06",)),
        *_action_rules("elbv2.listener.default-action", "defaultActions[]", "default_action", LISTENER_SOURCE),
    ),
)

# --- listener rule ----------------------------------------------------------------------------------------

_CONDITIONS = ("hostHeader", "httpHeader", "httpRequestMethod", "pathPattern", "queryStrings", "sourceIp")

LISTENER_RULE = ResourceRules(
    type="aws:lb/listenerRule:ListenerRule",
    source=RULE_SOURCE,
    forces_replacement=frozenset({"listenerArn"}),
    rules=(
        Rule(id="elbv2.listener-rule.priority.range", argument="priority", constraint=Range(1, 50000),
             message='"priority" must be in the range 1-50000 for normal rule or 99999 for the default rule',
             source=RULE_SOURCE, fix="give the rule a priority from 1 to 50000 (lower wins)",
             ok=(1.0, 50000.0, 1000.0), bad=(0.0, 50001.0)),
        _arn_rule("elbv2.listener-rule.listener-arn.arn", "listenerArn", "listener_arn", "pass the listener's ARN",
                  "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb-dev/0a0fa7aafd00a816/b6543fca6e4a422e"),
        Rule(id="elbv2.listener-rule.condition.exactly-one", argument="conditions[]",
             constraint=ExactlyOneOf(_CONDITIONS),
             message="Only one of host_header, http_header, http_request_method, path_pattern, query_string or "
                     "source_ip can be set in a condition block",
             source=RULE_SOURCE, fix="put each kind of match in its own condition block",
             ok=({"pathPattern": {"values": ["/*"]}},),
             bad=({}, {"pathPattern": {"values": ["/*"]}, "hostHeader": {"values": ["a.example.com"]}})),
        Rule(id="elbv2.listener-rule.condition.path-pattern.length", argument="conditions[].pathPattern.values[]",
             constraint=Length(1, 128),
             message="expected length of condition.0.path_pattern.0.values.0 to be in the range (1 - 128)",
             source=RULE_SOURCE, fix="keep each path pattern within 128 characters",
             ok=("/", "/" + "p" * 127), bad=("", "/" + "p" * 128)),
        Rule(id="elbv2.listener-rule.condition.host-header.length", argument="conditions[].hostHeader.values[]",
             constraint=Length(1, 128),
             message="expected length of condition.0.host_header.0.values.0 to be in the range (1 - 128)",
             source=RULE_SOURCE, fix="keep each host pattern within 128 characters",
             ok=("a", "h" * 128), bad=("", "h" * 129)),
        *_action_rules("elbv2.listener-rule.action", "actions[]", "action", RULE_SOURCE),
    ),
)

# --- target group -----------------------------------------------------------------------------------------


def _health_check_port(value: Any) -> str | None:
    if value == "traffic-port":
        return None
    if isinstance(value, str) and value.lstrip("-").isdigit() and 1 <= int(value) <= 65536:
        return None
    return '"port" must be a valid port number (1-65536) or "traffic-port"'


_MATCH_PART = re.compile(r"(\d{1,3})(?:-(\d{1,3}))?")


def _matcher(value: Any) -> str | None:
    if not isinstance(value, str) or value == "":
        return "must be HTTP codes such as 200, 200,202 or 200-299"
    for part in value.split(","):
        m = _MATCH_PART.fullmatch(part)
        if m is None:
            return f"{part!r} is not an HTTP code or range"
        low, high = int(m.group(1)), int(m.group(2) or m.group(1))
        if not (200 <= low <= high <= 499):
            return f"{part!r}: HTTP codes for an ALB health check lie between 200 and 499"
    return None


def _timeout_below_interval(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    timeout, interval = value.get("timeout"), value.get("interval")
    if timeout is not None and interval is not None and timeout >= interval:
        return f"timeout {int(timeout)} must be smaller than interval {int(interval)}"
    return None


def _tcp_health_check(value: dict) -> str | None:
    check = value.get("healthCheck") or {}
    hc_protocol = str(check.get("protocol") or "").upper()
    if hc_protocol == "TCP":
        for key in ("matcher", "path"):
            if check.get(key):
                return (f'Attribute "health_check[0].{key}" cannot be specified when "health_check[0].protocol" '
                        'is "TCP".')
        if str(value.get("protocol") or "").upper() in ("HTTP", "HTTPS"):
            return (f'Attribute "health_check[0].protocol" cannot have value "TCP" when "protocol" is '
                    f'"{str(value.get("protocol")).upper()}".')
    return None


def _not_lambda_needs(value: dict) -> str | None:
    target_type = value.get("targetType") or "instance"
    if target_type == "lambda":
        return None
    for key, tf in (("port", "port"), ("protocol", "protocol"), ("vpcId", "vpc_id")):
        if value.get(key) is None:
            return f'Attribute "{tf}" must be specified when "target_type" is "{target_type}".'
    return None


TARGET_GROUP = ResourceRules(
    type="aws:lb/targetGroup:TargetGroup",
    source=TG_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId",
                                  "ipAddressType"}),
    rules=(
        Rule(id="elbv2.target-group.name.length", argument="name", constraint=Length(0, 32),
             message='"name" cannot be longer than 32 characters', source=VALIDATE_SOURCE,
             fix=f"shorten the target group name to 32 characters ({NAMING_FIX})",
             ok=("t" * 32, "tg-frontend-dev"), bad=("t" * 33,)),
        Rule(id="elbv2.target-group.name.characters", argument="name", constraint=_NAME_CHARS,
             message='only alphanumeric characters and hyphens allowed in "name"', source=VALIDATE_SOURCE,
             fix=f"use only letters, digits and hyphens ({NAMING_FIX})", ok=("tga-frontend-prod",),
             bad=("tg_frontend", "tg.frontend")),
        Rule(id="elbv2.target-group.name.leading-hyphen", argument="name", constraint=NotPrefix(("-",)),
             message='"name" cannot begin with a hyphen', source=VALIDATE_SOURCE,
             fix=f"start the name with a letter or digit ({NAMING_FIX})", ok=("tg-a",), bad=("-tg-a",)),
        Rule(id="elbv2.target-group.name.trailing-hyphen", argument="name", constraint=NotSuffix(("-",)),
             message='"name" cannot end with a hyphen', source=VALIDATE_SOURCE,
             fix=f"end the name with a letter or digit ({NAMING_FIX})", ok=("tg-a",), bad=("tg-a-",)),
        Rule(id="elbv2.target-group.name-prefix.length", argument="namePrefix", constraint=Length(0, 6),
             message='"name_prefix" cannot be longer than 6 characters', source=VALIDATE_SOURCE,
             fix=f"shorten the prefix to 6 characters: 32 minus the 26-character unique suffix ({NAMING_FIX})",
             ok=("tg-fe-",), bad=("tg-fro-",)),
        Rule(id="elbv2.target-group.name-prefix.characters", argument="namePrefix", constraint=_NAME_CHARS,
             message='only alphanumeric characters and hyphens allowed in "name_prefix"', source=VALIDATE_SOURCE,
             fix=f"use only letters, digits and hyphens ({NAMING_FIX})", ok=("tg-",), bad=("tg_",)),
        Rule(id="elbv2.target-group.name-prefix.leading-hyphen", argument="namePrefix", constraint=NotPrefix(("-",)),
             message='"name_prefix" cannot begin with a hyphen', source=VALIDATE_SOURCE,
             fix=f"start the prefix with a letter or digit ({NAMING_FIX})", ok=("tg-",), bad=("-tg",)),
        Rule(id="elbv2.target-group.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=TG_SOURCE, fix="set name or namePrefix, not both",
             ok=({"name": "tg-frontend-dev"},), bad=({"name": "tg-frontend-dev", "namePrefix": "tg-"},)),
        Rule(id="elbv2.target-group.port.range", argument="port", constraint=Range(1, 65535),
             message="expected port to be in the range (1 - 65535)", source=TG_SOURCE,
             fix="use the container port (1 to 65535)", ok=(1.0, 65535.0, 8080.0), bad=(0.0, 65536.0)),
        Rule(id="elbv2.target-group.protocol.enum", argument="protocol", constraint=OneOf(_PROTOCOLS),
             message='expected protocol to be one of ["HTTP" "HTTPS" "TCP" "TLS" "UDP" "TCP_UDP" "GENEVE" "QUIC" '
                     '"TCP_QUIC"]',
             source=TG_SOURCE, fix="use HTTP for ALB targets (upper case)", ok=("HTTP", "HTTPS"), bad=("http", "GRPC")),
        Rule(id="elbv2.target-group.target-type.enum", argument="targetType",
             constraint=OneOf(("instance", "ip", "lambda", "alb")),
             message='expected target_type to be one of ["instance" "ip" "lambda" "alb"]', source=TG_SOURCE,
             fix="Fargate tasks in awsvpc mode register as targetType 'ip'", ok=("ip", "instance"), bad=("IP", "task")),
        Rule(id="elbv2.target-group.target-type.required-arguments", argument="",
             constraint=Check(_not_lambda_needs, "port, protocol and vpcId unless targetType is lambda"),
             message='Attribute "port" must be specified when "target_type" is "ip".', source=TG_SOURCE,
             fix="give non-lambda target groups port, protocol and vpcId",
             ok=({"targetType": "ip", "port": 8080.0, "protocol": "HTTP", "vpcId": "vpc-1"}, {"targetType": "lambda"}),
             bad=({"targetType": "ip", "protocol": "HTTP", "vpcId": "vpc-1"}, {"port": 80.0, "protocol": "HTTP"})),
        Rule(id="elbv2.target-group.deregistration-delay.range", argument="deregistrationDelay",
             constraint=Range(0, 3600),
             message="expected deregistration_delay to be in the range (0 - 3600)", source=TG_SOURCE,
             fix="drain for 0 to 3600 seconds", ok=(0.0, 3600.0, 30.0), bad=(-1.0, 3601.0)),
        Rule(id="elbv2.target-group.health-check.interval.range", argument="healthCheck.interval",
             constraint=Range(5, 300),
             message="expected health_check.0.interval to be in the range (5 - 300)", source=TG_SOURCE,
             fix="check every 5 to 300 seconds", ok=(5.0, 300.0), bad=(4.0, 301.0)),
        Rule(id="elbv2.target-group.health-check.timeout.range", argument="healthCheck.timeout",
             constraint=Range(2, 120),
             message="expected health_check.0.timeout to be in the range (2 - 120)", source=TG_SOURCE,
             fix="time out after 2 to 120 seconds", ok=(2.0, 120.0), bad=(1.0, 121.0)),
        Rule(id="elbv2.target-group.health-check.timeout.below-interval", argument="healthCheck",
             constraint=Check(_timeout_below_interval, "timeout < interval"),
             message="Health check timeout must be smaller than the interval.", source=API_CREATE_TG,
             fix="make the health check timeout shorter than its interval",
             ok=({"interval": 15.0, "timeout": 5.0}, {"interval": 30.0}),
             bad=({"interval": 5.0, "timeout": 5.0}, {"interval": 10.0, "timeout": 30.0})),
        Rule(id="elbv2.target-group.health-check.healthy-threshold.range", argument="healthCheck.healthyThreshold",
             constraint=Range(2, 10),
             message="expected health_check.0.healthy_threshold to be in the range (2 - 10)", source=TG_SOURCE,
             fix="use 2 to 10 checks", ok=(2.0, 10.0), bad=(1.0, 11.0)),
        Rule(id="elbv2.target-group.health-check.unhealthy-threshold.range",
             argument="healthCheck.unhealthyThreshold", constraint=Range(2, 10),
             message="expected health_check.0.unhealthy_threshold to be in the range (2 - 10)", source=TG_SOURCE,
             fix="use 2 to 10 checks", ok=(2.0, 10.0), bad=(1.0, 11.0)),
        Rule(id="elbv2.target-group.health-check.path.length", argument="healthCheck.path", constraint=Length(1, 1024),
             message="expected length of health_check.0.path to be in the range (1 - 1024)", source=TG_SOURCE,
             fix="keep the health check path within 1024 characters", ok=("/", "/" + "h" * 1023),
             bad=("", "/" + "h" * 1024)),
        Rule(id="elbv2.target-group.health-check.path.prefix", argument="healthCheck.path", constraint=Prefix(("/",)),
             message='health_check.0.path: must begin with "/"', source=TG_SOURCE,
             fix="start the health check path with /", ok=("/health",), bad=("health",)),
        Rule(id="elbv2.target-group.health-check.port.value", argument="healthCheck.port",
             constraint=Check(_health_check_port, "traffic-port or 1..65536"),
             message='"health_check.0.port" must be a valid port number (1-65536) or "traffic-port"',
             source=TG_SOURCE, fix="use traffic-port or a port number",
             ok=("traffic-port", "1", "65536"), bad=("0", "65537", "http")),
        Rule(id="elbv2.target-group.health-check.protocol.enum", argument="healthCheck.protocol",
             constraint=Check(lambda v: None if isinstance(v, str) and v.upper() in ("HTTP", "HTTPS", "TCP")
                              else "must be HTTP, HTTPS or TCP", "HTTP, HTTPS or TCP (case-insensitive)"),
             message='expected health_check.0.protocol to be one of ["HTTP" "HTTPS" "TCP"]', source=TG_SOURCE,
             fix="check over HTTP or HTTPS", ok=("HTTP", "https", "TCP"), bad=("UDP", "GRPC")),
        Rule(id="elbv2.target-group.health-check.matcher.codes", argument="healthCheck.matcher",
             constraint=Check(_matcher, "HTTP codes 200-499: 200, 200,202 or 200-299"),
             message="HttpCode: For Application Load Balancers, you can specify values between 200 and 499 ... "
                     "multiple values (for example, \"200,202\") or a range of values (for example, \"200-299\").",
             source=API_MATCHER, fix="match 200-499 codes: 200, 200,202 or 200-299",
             ok=("200", "200,202", "200-299", "499"), bad=("500", "2xx", "199-200", "")),
        Rule(id="elbv2.target-group.health-check.tcp-conflicts", argument="",
             constraint=Check(_tcp_health_check, "TCP health checks take no path or matcher, and not on HTTP groups"),
             message='Attribute "health_check[0].protocol" cannot have value "TCP" when "protocol" is "HTTP".',
             source=TG_SOURCE, fix="use an HTTP health check on HTTP target groups",
             ok=({"protocol": "HTTP", "healthCheck": {"protocol": "HTTP", "path": "/health"}},
                 {"protocol": "TCP", "healthCheck": {"protocol": "TCP"}}),
             bad=({"protocol": "HTTP", "healthCheck": {"protocol": "TCP"}},
                  {"protocol": "TCP", "healthCheck": {"protocol": "TCP", "path": "/health"}})),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (LOAD_BALANCER, LISTENER, LISTENER_RULE, TARGET_GROUP)
