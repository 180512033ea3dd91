"""The platform's policies, written once against pulumi-aws v7's camelCase wire inputs.

Every rule here runs in two places: online under `pulumi preview --policy-pack policy/` (the CLI calls each
`validate` with the inputs of each resource) and offline in `policy.gate`, which calls the same `validate`
on every resource of `build/plan/<env>/plan.json`. Each description names the AWS Foundational Security Best
Practices (FSBP) control it enforces, or the reason when no control covers it.

Context a single resource does not carry comes two ways, and each rule says which:
- policy config (`platformKeyArns`, `environmentSuffix`): the offline gate fills it from the plan document and
  the stack files; online it comes from `--policy-pack-config` (see README), and without it the rule checks
  what it can alone;
- a `StackValidationPolicy` over the stack's resources (which security groups belong to an ALB, which bucket
  receives ALB logs), because the engine only knows those relations once the whole stack is registered.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Iterable, Mapping

from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, ReportViolation, ResourceValidationArgs,
                           ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy)

from policy import containers
from policy.inputs import MASKED_SECRET, block, is_true, items, number, parse_json
from shared import iam
from shared.tagging import REQUIRED_TAGS

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

ECR_REPOSITORY = "aws:ecr/repository:Repository"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
IAM_ROLE = "aws:iam/role:Role"
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
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
SUBNET = "aws:ec2/subnet:Subnet"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_SSE = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
              "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
SECRET = "aws:secretsmanager/secret:Secret"
TABLE = "aws:dynamodb/table:Table"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"

# HTTPS listener policies that negotiate TLS 1.2 or later only. FSBP ELB.17 recommends the TLS13 family.
# Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
TLS12_POLICIES = frozenset({
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08", "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
})

# Actions AWS authorises only against Resource "*" (no resource-level permissions), with the Service
# Authorization Reference page that says so. Anything else with "*" is a least-privilege violation.
_SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference"
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    "ecr:GetAuthorizationToken": f"{_SAR}/list_amazonelasticcontainerregistry.html",
    "logs:DescribeLogGroups": f"{_SAR}/list_amazoncloudwatchlogs.html",
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
# An ingress CIDR with a prefix shorter than this opens at least 1/256 of the address space (/0 is all of
# it; 0.0.0.0/1 half of it): treated as "the internet". /8 and longer (10.0.0.0/8, the VPC) are not.
WORLD_PREFIX_BELOW = 8
# Trust-policy operators that pin aws:SourceAccount / aws:SourceArn to literal values (no negation, no
# IfExists, no set operator, which all pass for requests that carry another or no source).
ACCOUNT_EQUALITY = frozenset({"stringequals", "stringequalsignorecase", "arnequals"})
SOURCE_ARN_OPERATORS = ACCOUNT_EQUALITY | {"arnlike"}
ACCOUNT_ID = re.compile(r"^\d{12}$")
ALB_PUBLIC_PORTS = frozenset({80, 443})
LOG_RETENTION_MIN_DAYS = 30
AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")
# Inputs that switch on deletion protection, by type: the stacks must stay destroyable.
DELETION_PROTECTION = {
    **{t: "enableDeletionProtection" for t in LOAD_BALANCERS},
    TABLE: "deletionProtectionEnabled",
    LOG_GROUP: "deletionProtectionEnabled",
    "aws:rds/instance:Instance": "deletionProtection",
    "aws:rds/cluster:Cluster": "deletionProtection",
}
# Inputs that must be true so `destroy` can delete a container that still holds objects or images.
MUST_EMPTY_ON_DESTROY = {ECR_REPOSITORY: "forceDelete", BUCKET: "forceDestroy"}
# Inputs that keep the cloud resource when Pulumi deletes it (a retain-on-delete by another name).
SKIP_DESTROY_TYPES = (LOG_GROUP, TASK_DEFINITION)
# Types whose names are scoped inside a parent that already carries the suffix (a role's inline policy,
# a Cloud Map service inside the environment's namespace, scaling policies of one scalable target).
NAME_SCOPED_TYPES = frozenset({"aws:iam/rolePolicy:RolePolicy", "aws:servicediscovery/service:Service",
                               "aws:appautoscaling/policy:Policy",
                               "aws:appautoscaling/scheduledAction:ScheduledAction"})
NAME_KEYS = ("name", "namePrefix", "family")
BUCKET_NAME_KEYS = ("bucket", "bucketPrefix")

SUFFIX_SCHEMA = PolicyConfigSchema(properties={"environmentSuffix": {
    "type": "string", "description": "The stack's environmentSuffix; unset falls back to the Environment tag."}})
KEY_SCHEMA = PolicyConfigSchema(properties={"platformKeyArns": {
    "type": "array", "items": {"type": "string"},
    "description": "ARNs of the platform KMS key; unset checks only that a customer-managed key is used."}})

Validate = Callable[[ResourceValidationArgs, ReportViolation], None]


def for_types(*types: str) -> Callable[[Callable[[Mapping[str, Any], ReportViolation, Mapping[str, Any]], None]],
                                       Validate]:
    """Run the check only for resources of `types`, handing it the inputs and the policy config."""

    def wrap(check):
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if args.resource_type in types:
                check(args.props, report_violation, args.get_config())
        validate.__doc__ = check.__doc__
        return validate

    return wrap


def _report_all(report_violation: ReportViolation, problems: Iterable[str]) -> None:
    for problem in problems:
        report_violation(problem)


# --- ECR ---------------------------------------------------------------------------------------------------

@for_types(ECR_REPOSITORY)
def _ecr_immutable(props, report_violation, _config):
    if props.get("imageTagMutability") != "IMMUTABLE":
        report_violation(f"imageTagMutability is {props.get('imageTagMutability')!r}; set "
                         f"image_tag_mutability='IMMUTABLE' so a released tag always names the same image")


@for_types(ECR_REPOSITORY)
def _ecr_scan(props, report_violation, _config):
    if not is_true(block(props, "imageScanningConfiguration").get("scanOnPush")):
        report_violation("images are not scanned on push; set image_scanning_configuration={'scan_on_push': True}")


# --- ECS ---------------------------------------------------------------------------------------------------

def _container_check(problems_of: Callable[[list[dict]], list[str]]) -> Validate:
    @for_types(TASK_DEFINITION)
    def check(props, report_violation, _config):
        try:
            parsed = containers.parse_containers(props.get("containerDefinitions"))
        except containers.ContainerDefinitionsError:
            return  # unreadable (e.g. secret) definitions are `ecs-container-definitions-not-secret`'s finding
        _report_all(report_violation, problems_of(parsed))

    return check


@for_types(TASK_DEFINITION)
def _definitions_not_secret(props, report_violation, _config):
    value = props.get("containerDefinitions")
    if value == MASKED_SECRET:
        report_violation("containerDefinitions is a secret: a secret value leaked into it (e.g. an Output.secret "
                         "in an environment value), which also hides the whole document from review; pass "
                         "secrets through `secrets` with valueFrom = a Secrets Manager ARN")
        return
    try:
        containers.parse_containers(value)
    except containers.ContainerDefinitionsError as error:
        report_violation(f"{error}; build it with json.dumps of a list of container definitions")


@for_types(ECS_SERVICE)
def _no_public_ip(props, report_violation, _config):
    network = block(props, "networkConfiguration")
    if not network:
        report_violation("the service has no networkConfiguration; give it private subnets, its security group "
                         "and assign_public_ip=False")
    elif is_true(network.get("assignPublicIp")):
        report_violation("networkConfiguration.assignPublicIp is true; tasks run in private subnets and reach "
                         "AWS through NAT or VPC endpoints: set assign_public_ip=False")


@for_types(ECS_CLUSTER)
def _container_insights(props, report_violation, _config):
    values = [s.get("value") for s in items(props.get("settings")) if s.get("name") == "containerInsights"]
    if not any(v in ("enabled", "enhanced") for v in values):
        report_violation(f"Container Insights is {values[0] if values else 'not set'!s}; add settings "
                         f"[{{'name': 'containerInsights', 'value': 'enhanced'}}] (or 'enabled')")


@for_types(ECS_SERVICE)
def _circuit_breaker(props, report_violation, _config):
    breaker = block(props, "deploymentCircuitBreaker")
    if not (is_true(breaker.get("enable")) and is_true(breaker.get("rollback"))):
        report_violation(f"deploymentCircuitBreaker is {dict(breaker) or 'not set'}; set "
                         f"deployment_circuit_breaker={{'enable': True, 'rollback': True}} so a failing release "
                         f"rolls back by itself")


@for_types(ECS_SERVICE)
def _capacity_strategy(props, report_violation, _config):
    if props.get("launchType"):
        report_violation(f"launchType is {props['launchType']!r}; remove it and give "
                         f"capacity_provider_strategies (a launch type excludes capacity providers)")
    if not items(props.get("capacityProviderStrategies")):
        report_violation("no capacityProviderStrategies; give FARGATE (and FARGATE_SPOT where interruptions are "
                         "acceptable) with a base and weights")


# --- Logs --------------------------------------------------------------------------------------------------

@for_types(LOG_GROUP)
def _log_retention(props, report_violation, _config):
    days = number(props.get("retentionInDays"))
    if days is None or days == 0:
        report_violation(f"retentionInDays is not set (logs kept forever, paid forever); set "
                         f"retention_in_days={LOG_RETENTION_MIN_DAYS} or more")
    elif days < LOG_RETENTION_MIN_DAYS:
        report_violation(f"retentionInDays is {days:g}, below {LOG_RETENTION_MIN_DAYS}; set retention_in_days to "
                         f"at least {LOG_RETENTION_MIN_DAYS}")


@for_types(LOG_GROUP)
def _log_kms(props, report_violation, _config):
    if not props.get("kmsKeyId"):
        report_violation("the log group has no kmsKeyId; encrypt it with a customer-managed KMS key whose policy "
                         "admits CloudWatch Logs for this group")


# --- IAM ---------------------------------------------------------------------------------------------------

def identity_documents(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, document) of every identity policy a resource carries: a policy's `policy`, a role's inline
    policies. Resource policies (key, bucket, topic) are not identity policies: `*` there means the resource."""
    if resource_type in IAM_POLICY_DOCUMENT_TYPES:
        return [("policy", props.get("policy"))]
    if resource_type == IAM_ROLE:
        return [(f"inline policy {p.get('name')!r}", p.get("policy")) for p in items(props.get("inlinePolicies"))]
    return []


def _parsed(label: str, document: Any, report_violation: ReportViolation) -> list[iam.Statement]:
    body = parse_json(document)
    if not isinstance(body, dict):
        report_violation(f"{label} is not a JSON policy document ({document!r:.60}); build it with shared.iam")
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


def _no_wildcard_action(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    key, arns = attached_policy_arns(args.resource_type, args.props)
    for arn in arns:
        if ADMIN_POLICY.match(arn):
            report_violation(f"{key} attaches {arn}, which allows every action (or every IAM action); attach a "
                             f"policy with the actions needed")
    for label, document in identity_documents(args.resource_type, args.props):
        for statement in _parsed(label, document, report_violation):
            if not statement.is_allow:
                continue
            wild = [a for a in statement.actions if iam.is_service_wildcard_action(a)]
            if wild:
                report_violation(f"{label} statement {statement.sid or '<no Sid>'!r} allows {', '.join(wild)}; "
                                 f"list the actions it needs")
            if statement.not_actions:
                report_violation(f"{label} statement {statement.sid or '<no Sid>'!r} allows NotAction "
                                 f"{list(statement.not_actions)}, i.e. every other action; list the actions needed")


def _wildcard_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for label, document in identity_documents(args.resource_type, args.props):
        for statement in _parsed(label, document, report_violation):
            if not statement.is_allow:
                continue
            if statement.not_resources:
                report_violation(f"{label} statement {statement.sid or '<no Sid>'!r} uses NotResource; name the "
                                 f"resources it may touch")
            if not any(iam.is_unbounded_resource(r) for r in statement.resources):
                continue
            extra = sorted(a for a in statement.actions if a not in STAR_RESOURCE_ACTIONS)
            if extra:
                report_violation(f"{label} statement {statement.sid or '<no Sid>'!r} allows {', '.join(extra)} on "
                                 f"every resource; scope them to ARNs (only actions AWS authorises solely against "
                                 f"'*' may use it: {', '.join(sorted(STAR_RESOURCE_ACTIONS))})")


@for_types(IAM_ROLE)
def _trust_policy(props, report_violation, _config):
    for statement in _parsed("assumeRolePolicy", props.get("assumeRolePolicy"), report_violation):
        if not statement.is_allow:
            continue
        sid = statement.sid or "<no Sid>"
        others = sorted(set(statement.principal_types) - {"Service"})
        if others or not statement.principal_types.get("Service"):
            report_violation(f"trust statement {sid!r} trusts {statement.principal_types or 'no principal'}; trust "
                             f"only AWS service principals (e.g. ecs-tasks.amazonaws.com)")
        services = statement.principal_types.get("Service", ())
        exempt = bool(services) and all(s in UNCONDITIONED_TRUST for s in services)
        # A documented exception needs no guard, but one it gives must be sound.
        given = statement.condition_values("aws:SourceAccount") + statement.condition_values("aws:SourceArn")
        if (given or not exempt) and not names_source_account(statement.condition):
            report_violation(f"trust statement {sid!r} has no aws:SourceAccount condition naming this account; add "
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


# --- Network -----------------------------------------------------------------------------------------------

@for_types(SECURITY_GROUP)
def _no_inline_rules(props, report_violation, _config):
    for direction in ("ingress", "egress"):
        if items(props.get(direction)):
            report_violation(f"the security group declares {direction} rules inline; declare each rule as an "
                             f"aws.vpc.SecurityGroup{direction.capitalize()}Rule resource (inline rules and rule "
                             f"resources overwrite each other, and inline rules referencing each other cycle)")


@for_types(*LOAD_BALANCERS)
def _drop_invalid_headers(props, report_violation, _config):
    if props.get("loadBalancerType", "application") == "application" and not is_true(
            props.get("dropInvalidHeaderFields")):
        report_violation("dropInvalidHeaderFields is not true; set drop_invalid_header_fields=True so malformed "
                         "headers never reach the services (request smuggling)")


@for_types(*LISTENERS)
def _listener_tls(props, report_violation, _config):
    if props.get("protocol") not in ("HTTPS", "TLS"):
        return
    policy = props.get("sslPolicy")
    if policy not in TLS12_POLICIES:
        report_violation(f"the {props.get('protocol')} listener uses ssl policy {policy or 'the provider default'!s}, "
                         f"not on the TLS 1.2+ allow-list; set ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06'")


@for_types(SUBNET)
def _subnet_public_ip(props, report_violation, _config):
    if is_true(props.get("mapPublicIpOnLaunch")):
        report_violation("mapPublicIpOnLaunch is true; set map_public_ip_on_launch=False (the ALB and NAT get "
                         "their public addresses explicitly)")


# --- Data --------------------------------------------------------------------------------------------------

@for_types(PUBLIC_ACCESS_BLOCK)
def _public_access_block(props, report_violation, _config):
    off = [k for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
           if not is_true(props.get(k))]
    if off:
        report_violation(f"public access block leaves {', '.join(off)} off; set all four to True")


def key_problem(what: str, key: Any, config: Mapping[str, Any]) -> str | None:
    """Why `key` is not the platform key, or None. Without `platformKeyArns` in config any customer-managed
    key passes (the offline gate always supplies them; see the module docstring)."""
    if not key:
        return f"{what} is not encrypted with a customer-managed KMS key; give it the platform key's ARN"
    if AWS_MANAGED_KEY.search(str(key)):
        return f"{what} uses the AWS-managed key {key}; give it the platform key's ARN"
    platform = [str(k) for k in items(config.get("platformKeyArns"))]
    if platform and not any(key == arn or arn.endswith(f"/{key}") for arn in platform):
        return f"{what} uses key {key}, not the platform key ({', '.join(platform)})"
    return None


def _platform_key(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props, config = args.props, args.get_config()
    if args.resource_type == TABLE:
        sse = block(props, "serverSideEncryption")
        problem = (key_problem("the table", sse.get("kmsKeyArn"), config) if is_true(sse.get("enabled"))
                   else "the table uses the AWS-owned key (serverSideEncryption not enabled); set "
                        "server_side_encryption={'enabled': True, 'kms_key_arn': <platform key ARN>}")
    elif args.resource_type == SECRET:
        problem = key_problem("the secret", props.get("kmsKeyId"), config)
    elif args.resource_type in (QUEUE, TOPIC):  # both call it kmsMasterKeyId
        problem = key_problem(f"the {args.resource_type.split(':')[-1].lower()}", props.get("kmsMasterKeyId"),
                              config)
    else:
        return
    if problem:
        report_violation(problem)


# --- Lifecycle ---------------------------------------------------------------------------------------------

def _not_protected(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.opts.protect:
        report_violation("the resource is protected; remove protect=True (every stack must be destroyable)")
    # pulumi-policy 1.21 does not pass retainOnDelete to analyzers; the offline gate adds it (PlanOptions).
    if getattr(args.opts, "retain_on_delete", False):
        report_violation("the resource is retained on delete; remove retain_on_delete=True (destroy must leave "
                         "nothing behind)")
    if args.resource_type in SKIP_DESTROY_TYPES and is_true(args.props.get("skipDestroy")):
        report_violation("skipDestroy is true, so destroy leaves it in AWS; remove skip_destroy")


def _no_deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    key = DELETION_PROTECTION.get(args.resource_type)
    if key and is_true(args.props.get(key)):
        report_violation(f"{key} is true; turn it off (every stack must be destroyable)")
    key = MUST_EMPTY_ON_DESTROY.get(args.resource_type)
    if key and not is_true(args.props.get(key)):
        report_violation(f"{key} is not true, so destroy fails while it holds images or objects; set it to True")


def physical_names(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(input, value) of every physical name a resource declares, its `Name` tag included."""
    keys = NAME_KEYS + (BUCKET_NAME_KEYS if resource_type == BUCKET else ())
    names = [(k, str(props[k])) for k in keys if props.get(k) and resource_type not in NAME_SCOPED_TYPES]
    tags = props.get("tags")
    if isinstance(tags, Mapping) and tags.get("Name"):
        names.append(("tags.Name", str(tags["Name"])))
    return names


def carries_suffix(name: str, suffix: str) -> bool:
    """`suffix` appears in `name` as a whole token (delimited by -, ., /, _ or the ends)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(suffix)}(?![a-z0-9])", name) is not None


def _name_suffix(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:"):
        return
    tags = args.props.get("tags")
    suffix = args.get_config().get("environmentSuffix") or (tags.get("Environment") if isinstance(tags, Mapping)
                                                             else None)
    if not suffix:
        return  # neither config nor tag says which environment this is: nothing to compare against
    for key, name in physical_names(args.resource_type, args.props):
        if not carries_suffix(name, suffix):
            report_violation(f"{key} {name!r} does not carry the environment suffix {suffix!r}; build it with "
                             f"shared.naming.physical_name")


def _required_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    tags = args.props.get("tags")
    if "tags" not in args.props or not args.resource_type.startswith("aws:"):
        return  # untaggable: the stack transformation puts `tags` in every taggable resource's inputs
    present = tags if isinstance(tags, Mapping) else {}
    missing = [t for t in REQUIRED_TAGS if not present.get(t)]
    if missing:
        report_violation(f"tags lack {', '.join(missing)}; call shared.tagging.register_tagging before creating "
                         f"resources")


# --- Stack-level rules -------------------------------------------------------------------------------------

def _identifiers(props: Mapping[str, Any]) -> set[str]:
    """What other resources use to refer to this one: its id, name or ARN (the engine's outputs)."""
    return {str(props[k]) for k in ("id", "bucket", "arn", "name") if props.get(k)}


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


def _bucket_of(resource, buckets: list) -> Any:
    target = str(resource.props.get("bucket"))
    return next((b for b in buckets if target in _identifiers(b.props)), None)


def alb_log_buckets(resources: Iterable) -> set[str]:
    """Buckets that receive ALB access logs (by the name the load balancer's accessLogs gives)."""
    return {str(block(r.props, "accessLogs").get("bucket")) for r in resources
            if r.resource_type in LOAD_BALANCERS and block(r.props, "accessLogs").get("bucket")}


def _sse_rule(props: Mapping[str, Any]) -> Mapping[str, Any]:
    rules = items(props.get("rules"))
    return block(rules[0], "applyServerSideEncryptionByDefault") if rules else {}


def _bucket_public_access(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type == BUCKET]
    covered = {id(_bucket_of(r, buckets)) for r in args.resources if r.resource_type == PUBLIC_ACCESS_BLOCK}
    for bucket in buckets:
        if id(bucket) not in covered:
            report_violation(f"bucket {bucket.name} has no BucketPublicAccessBlock; add one with all four settings "
                             f"True", bucket.urn)


def _bucket_encryption(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    buckets = [r for r in args.resources if r.resource_type == BUCKET]
    log_buckets = alb_log_buckets(args.resources)
    encrypted: dict[int, Mapping[str, Any]] = {}
    for resource in args.resources:
        if resource.resource_type in BUCKET_SSE:
            bucket = _bucket_of(resource, buckets)
            if bucket is not None:
                encrypted[id(bucket)] = _sse_rule(resource.props)
    for bucket in buckets:
        sse = encrypted.get(id(bucket))
        if sse is None:
            report_violation(f"bucket {bucket.name} has no server-side encryption configuration; add "
                             f"BucketServerSideEncryptionConfiguration", bucket.urn)
        elif _identifiers(bucket.props) & log_buckets:
            if sse.get("sseAlgorithm") != "AES256":
                report_violation(f"bucket {bucket.name} receives ALB access logs, which ALB can write only with "
                                 f"SSE-S3; set sse_algorithm='AES256'", bucket.urn)
        elif sse.get("sseAlgorithm") != "aws:kms":
            report_violation(f"bucket {bucket.name} uses {sse.get('sseAlgorithm')!r}; encrypt it with the platform "
                             f"key (sse_algorithm='aws:kms', kms_master_key_id=<platform key ARN>)", bucket.urn)
        else:
            problem = key_problem(f"bucket {bucket.name}", sse.get("kmsMasterKeyId"), args.get_config())
            if problem:
                report_violation(problem, bucket.urn)


# --- The pack ----------------------------------------------------------------------------------------------

def _resource(name: str, description: str, validate: Validate, level: EnforcementLevel = MANDATORY,
              schema: PolicyConfigSchema | None = None) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(name=name, description=description, validate=validate, enforcement_level=level,
                                    config_schema=schema)


def _stack(name: str, description: str, validate, schema: PolicyConfigSchema | None = None) -> StackValidationPolicy:
    return StackValidationPolicy(name=name, description=description, validate=validate, enforcement_level=MANDATORY,
                                 config_schema=schema)


def all_policies() -> list:
    """Every policy of the pack, built fresh (policy objects hold no state, but the pack owns its list)."""
    return [
        _resource("ecr-immutable-tags", "FSBP ECR.2: ECR repositories have tag immutability, so a release tag always "
                  "names the image that was tested.", _ecr_immutable),
        _resource("ecr-scan-on-push", "FSBP ECR.1: ECR repositories scan images on push.", _ecr_scan),
        _resource("ecs-no-public-ip", "FSBP ECS.2: ECS services do not assign public IPs; tasks live in private "
                  "subnets.", _no_public_ip),
        _resource("ecs-not-privileged", "FSBP ECS.4: containers do not run privileged.",
                  _container_check(containers.privileged_problems)),
        _resource("ecs-read-only-root", "FSBP ECS.5: containers have read-only root filesystems.",
                  _container_check(containers.writable_root_problems)),
        _resource("ecs-non-root-user", "FSBP ECS.20: Linux containers run as a non-root user.",
                  _container_check(containers.root_user_problems)),
        _resource("ecs-container-definitions-not-secret", "Reason: a secret in any container field makes the "
                  "whole containerDefinitions document secret (hidden from diffs and review) - the signal that a "
                  "secret leaked out of Secrets Manager. Offline only: the SDK unwraps secrets for online "
                  "policies.", _definitions_not_secret),
        _resource("ecs-secrets-via-secrets-manager", "FSBP ECS.8: no secret-looking names or values in "
                  "environment; secrets come only through `secrets` from Secrets Manager ARNs.",
                  _container_check(containers.secret_problems)),
        _resource("ecs-container-insights", "FSBP ECS.12: ECS clusters use Container Insights.", _container_insights),
        _resource("ecs-circuit-breaker-rollback", "Reason: a release that cannot reach a steady state rolls back "
                  "on its own (no FSBP control; ECS deployment circuit breaker).", _circuit_breaker),
        _resource("ecs-capacity-provider-strategy", "Reason: services use capacity provider strategies "
                  "(FARGATE/FARGATE_SPOT with a base), never a launch type, which excludes them.",
                  _capacity_strategy),
        _resource("log-retention-30-days", f"FSBP CloudWatch.16 (this platform's minimum: "
                  f"{LOG_RETENTION_MIN_DAYS} days): every log group sets a retention of at least "
                  f"{LOG_RETENTION_MIN_DAYS} days.", _log_retention),
        _resource("log-group-kms", "Reason: every log group is encrypted with a customer-managed KMS key (AWS "
                  "Config cloudwatch-log-group-encrypted; no FSBP control).", _log_kms),
        _resource("iam-no-wildcard-action", "FSBP IAM.1 and IAM.21: identity policies allow no '*' or "
                  "'<service>:*' action however spelled ('**', 's3:?*'; and no NotAction), and no AWS "
                  "administrator policy is attached (attachments of roles, users and groups, a role's "
                  "managedPolicyArns).",
                  _no_wildcard_action),
        _resource("iam-wildcard-resource-allow-list", "Reason: least privilege (AWS IAM best practices). Resource "
                  "'*' only for actions AWS authorises solely against '*' (an allow-list with sources).",
                  _wildcard_resource),
        _resource("iam-trust-service-principal", "Reason: the confused-deputy guard (AWS IAM User Guide). Trust "
                  "policies name only an AWS service principal, with an aws:SourceAccount (equality) or "
                  "aws:SourceArn (equality or ArnLike) condition naming literal account ids (except a sourced list "
                  "of services AWS documents without one).",
                  _trust_policy),
        _stack("sg-no-open-ingress", "FSBP EC2.18 and EC2.19: no ingress from 0.0.0.0/0, ::/0 or any prefix "
               "shorter than /8 except TCP 80/443 to the internet-facing ALB's security group (stack policy: it "
               "needs the ALB's groups).",
               _open_ingress),
        _resource("sg-no-inline-rules", "Reason: inline security-group rules fight separate rule resources and "
                  "cycle between groups (pulumi-aws docs); every rule is its own resource.", _no_inline_rules),
        _resource("alb-drop-invalid-headers", "FSBP ELB.4: application load balancers drop invalid HTTP headers.",
                  _drop_invalid_headers),
        _resource("alb-tls12-policy", "FSBP ELB.17: HTTPS/TLS listeners use a policy from an allow-list of TLS 1.2+ "
                  "policies.", _listener_tls),
        _resource("subnet-no-public-ip-on-launch", "FSBP EC2.15: subnets do not map public IPs on launch (stricter "
                  "than 'private subnets': the ALB and NAT take theirs explicitly).", _subnet_public_ip),
        _resource("s3-public-access-block", "FSBP S3.8: bucket public access blocks turn on all four settings.",
                  _public_access_block),
        _stack("s3-bucket-has-public-access-block", "FSBP S3.8: every bucket has a public access block (stack "
               "policy: it pairs buckets with their blocks).", _bucket_public_access),
        _resource("platform-key-encryption", "FSBP SQS.1 and SNS.1, extended: secrets, the table, queues and "
                  "topics are encrypted with the platform's customer-managed key (config platformKeyArns).",
                  _platform_key, schema=KEY_SCHEMA),
        _stack("s3-bucket-encryption", "FSBP S3.17: buckets are encrypted with the platform key; the ALB access-log "
               "bucket with SSE-S3, the only encryption ALB log delivery supports (stack policy: it needs the "
               "load balancer's accessLogs).", _bucket_encryption, schema=KEY_SCHEMA),
        _resource("no-protect-or-retain", "Reason: every stack is destroyable; nothing is protected, retained on "
                  "delete or skipped on destroy.", _not_protected),
        _resource("no-deletion-protection", "Reason: every stack is destroyable - deliberately the opposite of "
                  "FSBP ELB.6 and DynamoDB.6; repositories and buckets empty themselves on destroy.",
                  _no_deletion_protection),
        _resource("physical-name-suffix", "Reason: copies of an environment share an account; every physical name "
                  "and Name tag carries the environment suffix (config environmentSuffix, else the Environment "
                  "tag).", _name_suffix, schema=SUFFIX_SCHEMA),
        _resource("required-tags", f"Reason: cost allocation and ownership; every taggable resource carries "
                  f"{', '.join(REQUIRED_TAGS)} (advisory).", _required_tags, level=ADVISORY),
    ]
