"""Network: security groups (no internet ingress but the ALB's 80/443, no inline rules), load balancers
(invalid headers dropped, TLS 1.2+ listeners) and subnets (no public IP on launch)."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema, ReportViolation, StackValidationArgs

from policy.inputs import block, is_true, items, number, parse_json
from policy.rules.base import (
    INGRESS_RULE,
    LEGACY_SG_RULE,
    LISTENERS,
    LOAD_BALANCERS,
    SECURITY_GROUP,
    SUBNET,
    Policy,
    for_types,
    resource_policy,
    stack_policy,
)
from shared import iam
from shared.netpolicy import Endpoints, Workload, internet_reasons, workloads

# HTTPS listener policies that negotiate TLS 1.2 or later only. FSBP ELB.17 recommends the TLS13 family.
# Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
TLS12_POLICIES = frozenset({
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
})

# An ingress CIDR with a prefix shorter than this opens at least 1/256 of the address space (/0 is all of
# it; 0.0.0.0/1 half of it): treated as "the internet". /8 and longer (10.0.0.0/8, the VPC) are not.
WORLD_PREFIX_BELOW = 8

ALB_PUBLIC_PORTS = frozenset({80, 443})


@for_types(SECURITY_GROUP)
def _no_inline_rules(props, report, _config):
    for direction in ("ingress", "egress"):
        if items(props.get(direction)):
            report(f"the security group declares {direction} rules inline; declare each rule as an "
                   f"aws.vpc.SecurityGroup{direction.capitalize()}Rule resource (inline rules and rule "
                   f"resources overwrite each other, and inline rules referencing each other cycle)")


@for_types(*LOAD_BALANCERS)
def _drop_invalid_headers(props, report, _config):
    if props.get("loadBalancerType", "application") == "application" and not is_true(
            props.get("dropInvalidHeaderFields")):
        report("dropInvalidHeaderFields is not true; set drop_invalid_header_fields=True so malformed "
               "headers never reach the services (request smuggling)")


@for_types(*LISTENERS)
def _listener_tls(props, report, _config):
    if props.get("protocol") not in ("HTTPS", "TLS"):
        return
    policy = props.get("sslPolicy")
    if policy not in TLS12_POLICIES:
        report(f"the {props.get('protocol')} listener uses ssl policy {policy or 'the provider default'!s}, "
               f"not on the TLS 1.2+ allow-list; set ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06'")


@for_types(SUBNET)
def _subnet_public_ip(props, report, _config):
    if is_true(props.get("mapPublicIpOnLaunch")):
        report("mapPublicIpOnLaunch is true; set map_public_ip_on_launch=False (the ALB and NAT get "
               "their public addresses explicitly)")


def alb_security_groups(resources: Iterable) -> set[str]:
    """Security groups attached to internet-facing application load balancers."""
    return {str(sg) for r in resources if r.resource_type in LOAD_BALANCERS
            and r.props.get("loadBalancerType", "application") == "application" and not is_true(r.props.get("internal"))
            for sg in items(r.props.get("securityGroups"))}


def is_world_cidr(cidr: Any) -> bool:
    """An IPv4 or IPv6 CIDR with a prefix shorter than /8 (0.0.0.0/0, ::/0, 0.0.0.0/1, ...). A value that is
    no CIDR is AWS's to refuse, not an open rule."""
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen < WORLD_PREFIX_BELOW
    except ValueError:
        return False


def _world_ingress(resource) -> list[tuple[str, Any, Any, Any]]:
    """(cidr, protocol, from, to) of each ingress a rule resource opens to the internet (or most of it)."""
    p = resource.props
    if resource.resource_type == INGRESS_RULE:
        cidrs = [c for c in (p.get("cidrIpv4"), p.get("cidrIpv6")) if c and is_world_cidr(c)]
        return [(c, p.get("ipProtocol"), p.get("fromPort"), p.get("toPort")) for c in cidrs]
    if resource.resource_type == LEGACY_SG_RULE and p.get("type") == "ingress":
        cidrs = [c for c in items(p.get("cidrBlocks")) + items(p.get("ipv6CidrBlocks")) if is_world_cidr(c)]
        return [(c, p.get("protocol"), p.get("fromPort"), p.get("toPort")) for c in cidrs]
    return []


def _open_ingress(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    albs = alb_security_groups(args.resources)
    for resource in args.resources:
        for cidr, protocol, from_port, to_port in _world_ingress(resource):
            port = number(from_port)
            allowed = (str(resource.props.get("securityGroupId")) in albs and protocol == "tcp"
                       and port == number(to_port) and port in ALB_PUBLIC_PORTS)
            if not allowed:
                report_violation(f"{resource.name} opens {protocol} {from_port}-{to_port} to {cidr}; only the "
                                 f"internet-facing ALB's security group may accept 80/443 from the internet: "
                                 f"reference a security group or the VPC CIDR instead", resource.urn)



def policies() -> list[Policy]:
    return [
        stack_policy("sg-no-open-ingress", "FSBP EC2.18 and EC2.19: no ingress from 0.0.0.0/0, ::/0 or any prefix "
                     "shorter than /8 except TCP 80/443 to the internet-facing ALB's security group (stack policy: it "
                     "needs the ALB's groups).",
                     _open_ingress),
        resource_policy("sg-no-inline-rules", "Reason: inline security-group rules fight separate rule resources and "
                        "cycle between groups (pulumi-aws docs); every rule is its own resource.", _no_inline_rules),
        resource_policy("alb-drop-invalid-headers", "FSBP ELB.4: application load balancers drop invalid HTTP headers.",
                        _drop_invalid_headers),
        resource_policy("alb-tls12-policy", "FSBP ELB.17: HTTPS/TLS listeners use a policy from an allow-list of TLS "
                        "1.2+ policies.", _listener_tls),
        resource_policy("subnet-no-public-ip-on-launch", "FSBP EC2.15: subnets do not map public IPs on launch "
                        "(stricter than 'private subnets': the ALB and NAT take theirs explicitly).",
                        _subnet_public_ip),
        *hardening_policies(),
    ]


# --- closed egress, endpoints, functions (issue 19) ------------------------------------------------------------
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
ENDPOINTS_SCHEMA = PolicyConfigSchema(properties={
    "environmentSuffix": {"type": "string", "description": "The stack's environmentSuffix (group names)."},
    "interfaceEndpoints": {"type": "array", "items": {"type": "string"},
                           "description": "The network's interface endpoints (its interfaceEndpoints output)."},
    "gatewayEndpoints": {"type": "array", "items": {"type": "string"},
                         "description": "The network's gateway endpoints (its gatewayEndpoints output)."}})
# An account id, literally: what an endpoint-policy condition must name to keep the endpoint in one account.
ACCOUNT_ID = re.compile(r"^\d{12}$")


def _workload_groups(args: StackValidationArgs) -> dict[str, Workload]:
    """security group id -> the workload whose group it is, by the group's Name tag secgroup-<workload>-<suffix>."""
    suffix = args.get_config().get("environmentSuffix")
    by_name = {f"secgroup-{w.name}-{suffix}": w for w in workloads()}
    return {str(r.props.get("id")): by_name[str(r.props["tags"]["Name"])] for r in args.resources
            if r.resource_type == SECURITY_GROUP and isinstance(r.props.get("tags"), Mapping)
            and str(r.props["tags"].get("Name")) in by_name}


def _internet_egress(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    endpoints = Endpoints(tuple(items(config.get("interfaceEndpoints"))), tuple(items(config.get("gatewayEndpoints"))))
    owners = _workload_groups(args)
    for resource in args.resources:
        p = resource.props
        if resource.resource_type != EGRESS_RULE or not (is_world_cidr(p.get("cidrIpv4"))
                                                         or is_world_cidr(p.get("cidrIpv6"))):
            continue
        workload = owners.get(str(p.get("securityGroupId")))
        reasons = internet_reasons(workload, endpoints) if workload else {}
        low, high = number(p.get("fromPort")), number(p.get("toPort"))
        needed = str(p.get("ipProtocol")) == "tcp" and low == high and low in reasons
        if not needed:
            who = workload.name if workload else "a group that is no workload of the catalog"
            report_violation(f"{resource.name} lets {who} out to the internet on {p.get('ipProtocol')} "
                             f"{p.get('fromPort')}-{p.get('toPort')} without a reason: only a declared external call's "
                             f"port, or 443 for an AWS API without a VPC endpoint, may go there "
                             f"(shared.netpolicy.egress_rules)", resource.urn)


@for_types(INGRESS_RULE)
def _ingress_from_groups(props, report, _config):
    cidr = props.get("cidrIpv4") or props.get("cidrIpv6")
    if cidr and not is_world_cidr(cidr):
        report(f"the rule admits the address range {cidr}; inside the VPC admit security groups (every address of "
               f"a range, public subnets included, would get in)")


def _account_pinned(statement: iam.Statement) -> bool:
    """An endpoint-policy allow limited to one account: a literal-account condition on the principal or the
    resource, resources that are ARNs of one account, or ECR's layer bucket (image pulls need it)."""
    for key in ("aws:PrincipalAccount", "aws:ResourceAccount"):
        values = statement.condition_values(key)
        if values and all(ACCOUNT_ID.match(v) for v in values):
            return True
    if statement.resources and all(ACCOUNT_ID.match((r.split(":") + [""] * 5)[4]) for r in statement.resources):
        return True
    return bool(statement.resources) and all(r.startswith("arn:aws:s3:::prod-") and
                                             r.split(":::")[1].split("/")[0].endswith("-starport-layer-bucket")
                                             for r in statement.resources)


@for_types(VPC_ENDPOINT)
def _endpoint_policy(props, report, _config):
    body = parse_json(props.get("policy"))
    if not isinstance(body, Mapping):
        report("the endpoint has no policy, so it reaches any resource of any account (a way out of the private "
               "subnets); give it shared.resource_policies' policy for its type")
        return
    for statement in iam.parse_document(dict(body)):
        if statement.is_allow and not _account_pinned(statement):
            report(f"statement {statement.sid or '<no Sid>'!r} allows {list(statement.actions)} without limiting them "
                   f"to this account; condition on aws:PrincipalAccount or aws:ResourceAccount, or name this "
                   f"account's ARNs")


@for_types(LAMBDA_FUNCTION)
def _lambda_in_vpc(props, report, _config):
    vpc = block(props, "vpcConfig")
    if not items(vpc.get("subnetIds")) or not items(vpc.get("securityGroupIds")):
        report("the function runs outside the VPC; give it vpc_config with the private subnets and its own group")


def hardening_policies() -> list[Policy]:
    return [
        stack_policy("sg-internet-egress-needs-a-reason", "Reason: least privilege for egress (no FSBP control; "
                     "scanners flag unrestricted egress): a workload's group reaches 0.0.0.0/0 only on a declared "
                     "external call's port, or 443 when an AWS API it calls has no endpoint (config "
                     "interfaceEndpoints, gatewayEndpoints, environmentSuffix; without them every AWS API counts as "
                     "through NAT).", _internet_egress, schema=ENDPOINTS_SCHEMA),
        resource_policy("sg-ingress-from-groups", "Reason: inside the VPC a rule admits security groups, not address "
                        "ranges (the VPC CIDR includes the public subnets).", _ingress_from_groups),
        resource_policy("vpc-endpoint-policy", "Reason: data-exfiltration path (AWS PrivateLink guidance); every VPC "
                        "endpoint has a policy whose allows are limited to this account (or ECR's layer bucket).",
                        _endpoint_policy),
        resource_policy("lambda-in-vpc", "FSBP Lambda.3: functions run in the VPC.", _lambda_in_vpc),
    ]
