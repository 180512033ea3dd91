"""Mocks that answer like AWS would: realistic ids and ARNs in account 123456789012, us-east-1.

`STATE` maps a resource type to a function adding the attributes AWS computes (ARN, DNS name, URL, ...) so
consumers of those attributes see realistic values. A type not listed gets an id and a generic ARN.
Invokes not listed in `INVOKES` fail loudly: a silently empty answer would hide a real lookup.

Only public SDK names are used: `pulumi.runtime.mocks` (`Mocks`, `MockMonitor` and its `resources` and
`make_urn`) and the functions of `pulumi.runtime.rpc` (a submodule `pulumi.runtime` exports) that read and
write the engine's wire form: `deserialize_properties`, `wrap_rpc_secret`, `is_rpc_secret`, `unwrap_rpc_secret`.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks, rpc

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
# The us-east-1 ELB account AWS publishes for access-log bucket policies.
ELB_ACCOUNT_ID = "127311923021"
# The hosted zone of every us-east-1 ALB (for alias records).
ALB_ZONE_ID = "Z35SXDOTRQ7X7K"
# What every generated secret (random.RandomPassword) resolves to offline.
GENERATED_SECRET = "offline-generated-secret-7f3a9c2e41"

MASK = "[secret]"


def short_hash(text: str, length: int = 17) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _token_parts(typ: str) -> tuple[str, str]:
    """`aws:ec2/vpc:Vpc` -> ("ec2", "vpc")."""
    module = typ.split(":")[1].split("/")[0]
    resource = re.sub(r"(?<!^)(?=[A-Z])", "-", typ.split(":")[-1]).lower()
    return module, resource


def arn(service: str, resource: str, *, regional: bool = True) -> str:
    return f"arn:{PARTITION}:{service}:{REGION if regional else ''}:{ACCOUNT_ID}:{resource}"


StateFn = Callable[[str, dict, str], dict]

# id prefix AWS uses, by type
ID_PREFIX = {
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": "ns",
    "aws:ec2/vpc:Vpc": "vpc", "aws:ec2/subnet:Subnet": "subnet", "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb", "aws:ec2/natGateway:NatGateway": "nat", "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/securityGroup:SecurityGroup": "sg", "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl", "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:servicediscovery/service:Service": "srv",
}


def _named(inputs: dict, rid: str) -> str:
    return inputs.get("name") or rid


def _bucket(bucket: str) -> dict:
    return {"bucket": bucket, "arn": f"arn:{PARTITION}:s3:::{bucket}", "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{REGION}.amazonaws.com"}


STATE: dict[str, StateFn] = {
    # registry and platform projects
    "aws:ecr/repository:Repository": lambda name, i, rid: {
        "arn": arn("ecr", f"repository/{_named(i, rid)}"), "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{_named(i, rid)}"},
    "aws:ecs/cluster:Cluster": lambda name, i, rid: {"arn": arn("ecs", f"cluster/{_named(i, rid)}")},
    "aws:lb/loadBalancer:LoadBalancer": lambda name, i, rid: {
        "arn": arn("elasticloadbalancing", f"loadbalancer/app/{_named(i, rid)}/{short_hash(name, 16)}"),
        "arnSuffix": f"app/{_named(i, rid)}/{short_hash(name, 16)}",
        "dnsName": f"{_named(i, rid)}-{int(short_hash(name, 8), 16)}.{REGION}.elb.amazonaws.com",
        "zoneId": ALB_ZONE_ID},
    "aws:lb/listener:Listener": lambda name, i, rid: {
        "arn": str(i.get("loadBalancerArn", arn("elasticloadbalancing", "loadbalancer/app/alb/0"))).replace(
            ":loadbalancer/", ":listener/") + f"/{short_hash(name, 16)}"},
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": lambda name, i, rid: {
        "arn": arn("servicediscovery", f"namespace/{rid}"), "hostedZone": "Z" + short_hash(name, 20).upper()},
    "aws:sqs/queue:Queue": lambda name, i, rid: {
        "arn": arn("sqs", _named(i, rid)), "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{_named(i, rid)}"},
    "aws:sns/topic:Topic": lambda name, i, rid: {"arn": arn("sns", _named(i, rid))},
    "aws:dynamodb/table:Table": lambda name, i, rid: {"arn": arn("dynamodb", f"table/{_named(i, rid)}")},
    "aws:s3/bucket:Bucket": lambda name, i, rid: _bucket(i.get("bucket") or f"{i.get('bucketPrefix', '')}"
                                                      f"{int(short_hash(name, 20), 16) % 10**26:026d}"),
    "aws:secretsmanager/secret:Secret": lambda name, i, rid: {
        "arn": arn("secretsmanager", f"secret:{_named(i, rid)}-{short_hash(name, 6)}")},
    "aws:wafv2/webAcl:WebAcl": lambda name, i, rid: {
        "arn": arn("wafv2", f"regional/webacl/{_named(i, rid)}/{short_hash(name, 8)}-{short_hash(name, 4)}-0000-"
                            f"0000-{short_hash(name, 12)}")},
    # A known value for every generated secret, marked secret as the provider marks `result`, so a test can
    # prove that value never reaches plan.json or an output in clear.
    "random:index/randomPassword:RandomPassword": lambda name, i, rid: {
        "result": rpc.wrap_rpc_secret(GENERATED_SECRET),
        "bcryptHash": rpc.wrap_rpc_secret("$2a$10$" + short_hash(GENERATED_SECRET, 53))},
    "aws:ec2/vpc:Vpc": lambda name, i, rid: {"arn": arn("ec2", f"vpc/{rid}"),
                                             "defaultSecurityGroupId": f"sg-{short_hash(rid)}"},
    "aws:ec2/subnet:Subnet": lambda name, i, rid: {"arn": arn("ec2", f"subnet/{rid}")},
    # A gateway endpoint's managed prefix list (security-group rules name it); interface endpoints have none.
    "aws:ec2/vpcEndpoint:VpcEndpoint": lambda name, i, rid: {
        "arn": arn("ec2", f"vpc-endpoint/{rid}"),
        **({"prefixListId": f"pl-{short_hash(name, 8)}"} if i.get("vpcEndpointType") == "Gateway" else {})},
    "aws:lambda/function:Function": lambda name, i, rid: {
        "arn": arn("lambda", f"function:{_named(i, rid)}"),
        "qualifiedArn": arn("lambda", f"function:{_named(i, rid)}:1"),
        "invokeArn": f"arn:{PARTITION}:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                     f"{arn('lambda', 'function:' + _named(i, rid))}/invocations", "version": "1"},
    "aws:ec2/securityGroup:SecurityGroup": lambda name, i, rid: {
        "arn": arn("ec2", f"security-group/{rid}"),
        "name": i.get("name") or f"{i.get('namePrefix', '')}{short_hash(name, 8)}"},
    "aws:ec2/eip:Eip": lambda name, i, rid: {"publicIp": f"198.51.100.{int(short_hash(name, 2), 16) % 250 + 1}",
                                             "allocationId": rid},
    "aws:kms/key:Key": lambda name, i, rid: {"arn": arn("kms", f"key/{rid}"), "keyId": rid},
    "aws:kms/alias:Alias": lambda name, i, rid: {"arn": arn("kms", _named(i, rid))},
    "aws:cloudwatch/logGroup:LogGroup": lambda name, i, rid: {"arn": arn("logs", f"log-group:{_named(i, rid)}")},
    "aws:iam/role:Role": lambda name, i, rid: {"arn": arn("iam", f"role/{_named(i, rid)}", regional=False),
                                              "uniqueId": "AROA" + short_hash(name, 16).upper()},
    "aws:iam/policy:Policy": lambda name, i, rid: {"arn": arn("iam", f"policy/{_named(i, rid)}", regional=False)},
    # services project: ECS, load balancing, Cloud Map, autoscaling, alarms
    "aws:ecs/taskDefinition:TaskDefinition": lambda name, i, rid: {
        "arn": arn("ecs", f"task-definition/{i.get('family', rid)}:1"),
        "arnWithoutRevision": arn("ecs", f"task-definition/{i.get('family', rid)}"), "revision": 1},
    "aws:ecs/service:Service": lambda name, i, rid: {
        "arn": arn("ecs", f"service/{str(i.get('cluster', 'cluster')).split('/')[-1]}/{_named(i, rid)}")},
    "aws:lb/targetGroup:TargetGroup": lambda name, i, rid: {
        "arn": arn("elasticloadbalancing", f"targetgroup/{_named(i, rid)}/{short_hash(name, 16)}"),
        "arnSuffix": f"targetgroup/{_named(i, rid)}/{short_hash(name, 16)}"},
    "aws:lb/listenerRule:ListenerRule": lambda name, i, rid: {
        "arn": str(i.get("listenerArn", arn("elasticloadbalancing", "listener/app/alb/0/0"))).replace(
            ":listener/", ":listener-rule/") + f"/{short_hash(name, 16)}"},
    "aws:servicediscovery/service:Service": lambda name, i, rid: {"arn": arn("servicediscovery", f"service/{rid}")},
    "aws:appautoscaling/target:Target": lambda name, i, rid: {
        "arn": arn("application-autoscaling", f"scalable-target/0ec{short_hash(name, 29)}")},
    "aws:appautoscaling/policy:Policy": lambda name, i, rid: {
        "arn": arn("autoscaling", f"scalingPolicy:{short_hash(name, 8)}-{short_hash(name + '/', 4)}:resource/"
                                  f"{i.get('serviceNamespace', 'ecs')}/{i.get('resourceId', '')}:policyName/"
                                  f"{_named(i, rid)}"),
        "alarmArns": []},
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda name, i, rid: {
        "arn": arn("cloudwatch", f"alarm:{_named(i, rid)}")},
}


def _resource_id(typ: str, name: str, inputs: dict) -> str:
    if typ in ID_PREFIX:
        return f"{ID_PREFIX[typ]}-{short_hash(name)}"
    if typ == "aws:kms/key:Key":
        digest = short_hash(name, 32)
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    return inputs.get("name") or f"{name}-{short_hash(name, 8)}"


@dataclass
class StackOutputs:
    """Outputs of a stack already planned: clear values for its consumers, plus which were secret."""

    values: dict[str, Any]
    secret_names: list[str]

    @staticmethod
    def from_wire(outputs: dict[str, Any]) -> StackOutputs:
        """The root stack's outputs as the engine receives them (deserialized, secrets still wrapped; an
        output holding a secret anywhere arrives wrapped as a whole)."""
        return StackOutputs({key: rpc.unwrap_rpc_secret(value) for key, value in sorted(outputs.items())},
                            sorted(key for key, value in outputs.items() if rpc.is_rpc_secret(value)))


@dataclass
class PlanMocks(mocks.Mocks):
    """Answers resources, stack references and invokes for one stack run."""

    upstream: dict[str, StackOutputs] = field(default_factory=dict)

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            found = self.upstream.get(args.resource_id or args.name) or StackOutputs({}, [])
            # An absent stack reads as no outputs, as a consumer of an undeployed stack would see. Secret
            # outputs travel wrapped as secrets, so neither the consumer nor plan.json sees them in clear.
            outputs = {key: rpc.wrap_rpc_secret(value) if key in found.secret_names else value
                       for key, value in found.values.items()}
            return args.name, {"outputs": outputs, "secretOutputNames": list(found.secret_names)}
        if not args.custom:
            return "", {}
        rid = _resource_id(args.typ, args.name, args.inputs)
        module, resource = _token_parts(args.typ)
        state = {**args.inputs, "arn": arn(module, f"{resource}/{rid}")}
        state.update(STATE.get(args.typ, lambda *_: {})(args.name, args.inputs, rid))
        if "tags" in args.inputs:
            state["tagsAll"] = args.inputs["tags"]
        return rid, state

    def call(self, args: mocks.MockCallArgs) -> tuple[dict, list | None]:
        if args.token not in INVOKES:
            raise KeyError(f"the offline plan has no mock for invoke {args.token}; add it to "
                           f"tools.plan.mocks.INVOKES with a realistic answer")
        return INVOKES[args.token](args.args), []


INVOKES: dict[str, Callable[[dict], dict]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a: {
        "accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan", "userId": "AIDAOFFLINE",
        "id": ACCOUNT_ID},
    "aws:index/getPartition:getPartition": lambda a: {
        "partition": PARTITION, "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": PARTITION},
    "aws:index/getRegion:getRegion": lambda a: {
        "region": REGION, "name": REGION, "id": REGION, "endpoint": f"ec2.{REGION}.amazonaws.com",
        "description": "US East (N. Virginia)"},
    "aws:elb/getServiceAccount:getServiceAccount": lambda a: {
        "arn": f"arn:aws:iam::{ELB_ACCOUNT_ID}:root", "id": ELB_ACCOUNT_ID, "region": REGION},
}


# The asset and archive kinds programs here use (a Lambda's code); a remote one would be fetched by the engine.
ARCHIVE_TYPES = (pulumi.AssetArchive, pulumi.StringAsset, pulumi.FileAsset, pulumi.FileArchive)


def _archive_entry(value: Any) -> Any:
    """An asset or archive input as plan.json shows it: a StringAsset by the hash of its text, a file or
    directory by its path relative to the repository (plans of two checkouts stay identical) and the hash of its
    bytes (so the plan changes when the code does), an AssetArchive by its members."""
    if isinstance(value, pulumi.AssetArchive):
        return {"archive": {name: _archive_entry(member) for name, member in sorted(value.assets.items())}}
    if isinstance(value, pulumi.StringAsset):
        return {"text-sha256": hashlib.sha256(value.text.encode()).hexdigest()}
    path = Path(value.path).resolve()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(path if path.is_dir() else path.parent).as_posix().encode())
        digest.update(file.read_bytes())
    where = path.relative_to(REPO_ROOT).as_posix() if path.is_relative_to(REPO_ROOT) else str(path)
    return {"path": where, "sha256": digest.hexdigest()}


def mask_secrets(value: Any) -> Any:
    """Replace every secret-wrapped value (as the engine sends them) by "[secret]", and every asset or archive
    by a JSON description of it (`_archive_entry`). A secret that wraps nothing (None or "") stays as it is:
    there is no value to hide, and the provider checks must see a missing or empty argument (a secret version
    given `Output.secret(None)` has no value, which AWS refuses)."""
    if rpc.is_rpc_secret(value):
        inner = rpc.unwrap_rpc_secret(value)
        return inner if inner in (None, "") else MASK
    if isinstance(value, ARCHIVE_TYPES):
        return _archive_entry(value)
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    ignore_changes: list[str]
    delete_before_replace: bool
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    state: dict = field(default_factory=dict)
    # A component's `register_outputs`, secrets masked: what the state shows under the component. Not in plan.json
    # (it holds what providers are sent); tests read it.
    outputs: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "urn": self.urn, "type": self.type, "name": self.name, "custom": self.custom, "parent": self.parent,
            "inputs": self.inputs, "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies, "id": self.id, "state": self.state,
            "protect": self.protect, "retainOnDelete": self.retain_on_delete,
            "ignoreChanges": self.ignore_changes, "deleteBeforeReplace": self.delete_before_replace,
            "customTimeouts": self.custom_timeouts,
        }


class RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, also keeping what `Mocks.new_resource` never sees: parent, dependencies,
    resource options, and the root stack's outputs (its `RegisterResourceOutputs` request).

    Lists without meaning in their order (dependencies, property dependencies) are sorted so that two plans
    of one commit are identical: the SDK collects them in sets."""

    STACK_TYPE = "pulumi:pulumi:Stack"

    def __init__(self, plan_mocks: PlanMocks):
        super().__init__(plan_mocks)
        self.registrations: list[Registration] = []
        self.stack_urn: str | None = None
        self.stack_outputs: StackOutputs = StackOutputs({}, [])

    def _record(self, request, custom: bool, inputs_wire) -> Registration:
        urn = self.make_urn(request.parent, request.type, request.name)
        registration = Registration(
            urn=urn, type=request.type, name=request.name, custom=custom, parent=request.parent or None,
            inputs=mask_secrets(rpc.deserialize_properties(inputs_wire)),
            dependencies=sorted(set(request.dependencies)),
            # ReadResource requests carry no property dependencies, options or timeouts.
            property_dependencies={key: sorted(set(value.urns)) for key, value
                                   in sorted(getattr(request, "propertyDependencies", {}).items())},
            protect=bool(getattr(request, "protect", False)),
            retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
            ignore_changes=list(getattr(request, "ignoreChanges", [])),
            delete_before_replace=bool(getattr(request, "deleteBeforeReplace", False)),
            # Unset timeouts arrive as "".
            custom_timeouts={op: value for op in ("create", "update", "delete")
                             if (value := getattr(getattr(request, "customTimeouts", None), op, ""))},
        )
        if request.type == self.STACK_TYPE and not request.parent:
            self.stack_urn = urn
        self.registrations.append(registration)
        return registration

    def _complete(self, registration: Registration, urn: str) -> None:
        stored = self.resources.get(urn)
        if stored is not None:
            registration.id = stored.id or None
            registration.state = mask_secrets(stored.state)

    def RegisterResource(self, request):
        registration = self._record(request, bool(request.custom), request.object)
        response = super().RegisterResource(request)
        self._complete(registration, response.urn)
        return response

    def ReadResource(self, request):
        registration = self._record(request, True, request.properties)
        response = super().ReadResource(request)
        self._complete(registration, response.urn)
        return response

    def RegisterResourceOutputs(self, request):
        # Components register outputs too; the stack's are what `pulumi.export` set, sent once at the end.
        if request.urn == self.stack_urn:
            self.stack_outputs = StackOutputs.from_wire(rpc.deserialize_properties(request.outputs))
        else:
            outputs = mask_secrets(rpc.deserialize_properties(request.outputs))
            for registration in self.registrations:
                if registration.urn == request.urn:
                    registration.outputs = outputs
        return super().RegisterResourceOutputs(request)
