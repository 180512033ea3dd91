"""IAM: least-privilege identity policies and confused-deputy-safe trust policies."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from policy.inputs import items, parse_json
from policy.rules.base import IAM_ROLE, Policy, Report, for_types, resource_policy
from shared import iam
from shared.resource_policies import UNSCOPED_KEY_SERVICES

IAM_POLICY_DOCUMENT_TYPES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                             "aws:iam/groupPolicy:GroupPolicy")
# Resources that attach managed policies by ARN, and the input that holds the ARN(s).
IAM_POLICY_ATTACHMENT_TYPES = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    IAM_ROLE: "managedPolicyArns",
}

# Actions AWS authorises only against Resource "*" (no resource-level permissions), with the Service
# Authorization Reference page that says so. Anything else with "*" is a least-privilege violation.
_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference"
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    "ecr:GetAuthorizationToken": f"{_SAR}/list_amazonelasticcontainerregistry.html",
    "logs:DescribeLogGroups": f"{_SAR}/list_amazoncloudwatchlogs.html",
    # A VPC Lambda's execution role finds its network interfaces and subnets (the JWT rotation function).
    "ec2:DescribeNetworkInterfaces": f"{_SAR}/list_amazonec2.html",
    "ec2:DescribeSubnets": f"{_SAR}/list_amazonec2.html",
    "cloudwatch:PutMetricData": f"{_SAR}/list_amazoncloudwatch.html",
    "xray:PutTraceSegments": f"{_SAR}/list_awsx-ray.html",
    "xray:PutTelemetryRecords": f"{_SAR}/list_awsx-ray.html",
    "xray:GetSamplingRules": f"{_SAR}/list_awsx-ray.html",
    "xray:GetSamplingTargets": f"{_SAR}/list_awsx-ray.html",
    # ECS Exec's channel; refused by the services config while the root filesystem is read-only.
    "ssmmessages:CreateControlChannel": f"{_SAR}/list_amazonsessionmanagermessagegatewayservice.html",
    "ssmmessages:CreateDataChannel": f"{_SAR}/list_amazonsessionmanagermessagegatewayservice.html",
    "ssmmessages:OpenControlChannel": f"{_SAR}/list_amazonsessionmanagermessagegatewayservice.html",
    "ssmmessages:OpenDataChannel": f"{_SAR}/list_amazonsessionmanagermessagegatewayservice.html",
}
# Service principals whose trust policy AWS documents without condition keys, where it is not verified that
# the service sends aws:SourceAccount (a condition it does not satisfy would break the feature): the ECS
# infrastructure role for load balancers (native blue/green). Remove an entry once verified against AWS.
UNCONDITIONED_TRUST: dict[str, str] = {
    "ecs.amazonaws.com": "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                         "AmazonECSInfrastructureRolePolicyForLoadBalancers.html",
}
# AWS-managed policies that grant every action (AdministratorAccess: "*"), every action but IAM and
# Organizations (PowerUserAccess: NotAction) or every IAM action (IAMFullAccess: "iam:*", which can grant the
# rest). Only the AWS-owned ARNs (account "aws"): a customer policy is checked by its document.
ADMIN_POLICY = re.compile(r"^arn:[a-z-]+:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$")

# Trust-policy operators that pin aws:SourceAccount / aws:SourceArn to literal values (no negation, no
# IfExists, no set operator, which all pass for requests that carry another or no source).
ACCOUNT_EQUALITY = frozenset({"stringequals", "stringequalsignorecase", "arnequals"})
SOURCE_ARN_OPERATORS = ACCOUNT_EQUALITY | {"arnlike"}
ACCOUNT_ID = re.compile(r"^\d{12}$")


def identity_documents(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, document) of every identity policy a resource carries: a policy's `policy`, a role's inline
    policies. Resource policies (key, bucket, topic) are not identity policies: `*` there means the resource."""
    if resource_type in IAM_POLICY_DOCUMENT_TYPES:
        return [("policy", props.get("policy"))]
    if resource_type == IAM_ROLE:
        return [(f"inline policy {p.get('name')!r}", p.get("policy")) for p in items(props.get("inlinePolicies"))]
    return []


def _parsed(label: str, document: Any, report: Report) -> list[iam.Statement]:
    body = parse_json(document)
    if not isinstance(body, dict):
        report(f"{label} is not a JSON policy document ({document!r:.60}); build it with shared.iam")
        return []
    return iam.parse_document(body)


def attached_policy_arns(resource_type: str, props: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(input, ARNs) of the managed policies a resource attaches: one `policyArn` of an attachment, the
    `policyArns` of an exclusive attachment, a role's `managedPolicyArns`."""
    key = IAM_POLICY_ATTACHMENT_TYPES.get(resource_type)
    if key is None:
        return "", []
    value = props.get(key)
    return key, [str(a) for a in (items(value) if key != "policyArn" else [value]) if a]


def _no_wildcard_action(args: ResourceValidationArgs, report: Report) -> None:
    key, arns = attached_policy_arns(args.resource_type, args.props)
    for arn in arns:
        if ADMIN_POLICY.match(arn):
            report(f"{key} attaches {arn}, which allows every action (or every IAM action); attach a "
                   f"policy with the actions needed")
    for label, document in identity_documents(args.resource_type, args.props):
        for statement in _parsed(label, document, report):
            if not statement.is_allow:
                continue
            wild = [a for a in statement.actions if iam.is_service_wildcard_action(a)]
            if wild:
                report(f"{label} statement {statement.sid or '<no Sid>'!r} allows {', '.join(wild)}; "
                       f"list the actions it needs")
            if statement.not_actions:
                report(f"{label} statement {statement.sid or '<no Sid>'!r} allows NotAction "
                       f"{list(statement.not_actions)}, i.e. every other action; list the actions needed")


def _wildcard_resource(args: ResourceValidationArgs, report: Report) -> None:
    for label, document in identity_documents(args.resource_type, args.props):
        for statement in _parsed(label, document, report):
            if not statement.is_allow:
                continue
            if statement.not_resources:
                report(f"{label} statement {statement.sid or '<no Sid>'!r} uses NotResource; name the "
                       f"resources it may touch")
            if not any(iam.is_unbounded_resource(r) for r in statement.resources):
                continue
            extra = sorted(a for a in statement.actions if a not in STAR_RESOURCE_ACTIONS)
            if extra:
                report(f"{label} statement {statement.sid or '<no Sid>'!r} allows {', '.join(extra)} on "
                       f"every resource; scope them to ARNs (only actions AWS authorises solely against "
                       f"'*' may use it: {', '.join(sorted(STAR_RESOURCE_ACTIONS))})")


@for_types(IAM_ROLE)
def _trust_policy(props, report, _config):
    for statement in _parsed("assumeRolePolicy", props.get("assumeRolePolicy"), report):
        if not statement.is_allow:
            continue
        sid = statement.sid or "<no Sid>"
        others = sorted(set(statement.principal_types) - {"Service"})
        if others or not statement.principal_types.get("Service"):
            report(f"trust statement {sid!r} trusts {statement.principal_types or 'no principal'}; trust "
                   f"only AWS service principals (e.g. ecs-tasks.amazonaws.com)")
        services = statement.principal_types.get("Service", ())
        exempt = bool(services) and all(s in UNCONDITIONED_TRUST for s in services)
        # A documented exception needs no guard, but one it gives must be sound.
        given = statement.condition_values("aws:SourceAccount") + statement.condition_values("aws:SourceArn")
        if (given or not exempt) and not names_source_account(statement.condition):
            report(f"trust statement {sid!r} has no aws:SourceAccount condition naming this account; add "
                   f"StringEquals aws:SourceAccount so the service acts only for this account "
                   f"(confused deputy)")


def names_source_account(condition: Mapping[str, Any]) -> bool:
    """The condition pins the caller's source to literal 12-digit accounts: aws:SourceAccount under an
    equality operator, or aws:SourceArn under an equality operator or ArnLike with a literal account field.
    Condition blocks are ANDed, so one such block guards whatever else the condition says."""
    for operator, block_ in condition.items():
        op = str(operator).lower()
        for key, value in block_.items():
            values = [value] if isinstance(value, str) else [str(v) for v in items(value)]
            if not values:
                continue  # an empty list matches no request: it guards nothing
            if str(key).lower() == "aws:sourceaccount" and op in ACCOUNT_EQUALITY:
                accounts = values
            elif str(key).lower() == "aws:sourcearn" and op in SOURCE_ARN_OPERATORS:
                accounts = [(v.split(":") + [""] * 5)[4] for v in values]
            else:
                continue
            if all(ACCOUNT_ID.match(a) for a in accounts):
                return True
    return False


def policies() -> list[Policy]:
    return [
        resource_policy("iam-no-wildcard-action", "FSBP IAM.1 and IAM.21: identity policies allow no '*' or "
                        "'<service>:*' action however spelled ('**', 's3:?*'; and no NotAction), and no AWS "
                        "administrator policy is attached (attachments of roles, users and groups, a role's "
                        "managedPolicyArns).",
                        _no_wildcard_action),
        resource_policy("iam-wildcard-resource-allow-list", "Reason: least privilege (AWS IAM best practices). "
                        "Resource '*' only for actions AWS authorises solely against '*' (an allow-list with sources).",
                        _wildcard_resource),
        resource_policy("iam-trust-service-principal", "Reason: the confused-deputy guard (AWS IAM User Guide). "
                        "Trust policies name only an AWS service principal, with an aws:SourceAccount (equality) or "
                        "aws:SourceArn (equality or ArnLike) condition naming literal account ids (except a sourced "
                        "list of services AWS documents without one).",
                        _trust_policy),
        *hardening_policies(),
    ]


# --- service principals in resource policies (issue 19) ---------------------------------------------------------
KMS_KEY = "aws:kms/key:Key"
RESOURCE_POLICY_INPUTS = {KMS_KEY: "policy", "aws:kms/keyPolicy:KeyPolicy": "policy",
                          "aws:sns/topicPolicy:TopicPolicy": "policy", "aws:s3/bucketPolicy:BucketPolicy": "policy"}
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LOGS_CONTEXT = "kms:EncryptionContext:aws:logs:arn"


def _logs_context_pinned(statement: iam.Statement) -> bool:
    """CloudWatch Logs' key statement limited by the encryption context: log-group ARNs of literal accounts."""
    values = statement.condition_values(LOGS_CONTEXT)
    return bool(values) and all(ACCOUNT_ID.match((v.split(":") + [""] * 5)[4]) for v in values)


def _service_statements_scoped(args: ResourceValidationArgs, report: Report) -> None:
    if args.resource_type == LAMBDA_PERMISSION:
        principal = str(args.props.get("principal", ""))
        if principal.endswith(".amazonaws.com") and not (args.props.get("sourceAccount") or
                                                         args.props.get("sourceArn")):
            report(f"the permission lets {principal} invoke the function for any account; set source_account (or "
                   f"source_arn)")
        return
    key = RESOURCE_POLICY_INPUTS.get(args.resource_type)
    if key is None or not args.props.get(key):
        return
    for statement in _parsed(key, args.props.get(key), report):
        services = statement.principal_types.get("Service", ())
        if not statement.is_allow or not services or all(s in UNSCOPED_KEY_SERVICES for s in services):
            continue
        if not (names_source_account(statement.condition) or _logs_context_pinned(statement)):
            report(f"statement {statement.sid or '<no Sid>'!r} lets {', '.join(services)} act for any account; add "
                   f"aws:SourceAccount or aws:SourceArn naming this account (or, for CloudWatch Logs on a key, the "
                   f"log groups' ARNs as {LOGS_CONTEXT})")


def hardening_policies() -> list[Policy]:
    return [resource_policy(
        "resource-policy-service-principals-scoped", "Reason: the confused-deputy guard (AWS IAM User Guide): service "
        "principals in key, topic and bucket policies and Lambda permissions act only for this account "
        "(aws:SourceAccount / aws:SourceArn, or CloudWatch Logs' encryption context), except the sourced list of "
        "services that send no such key (shared.resource_policies.UNSCOPED_KEY_SERVICES).",
        _service_statements_scoped)]
