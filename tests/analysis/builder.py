"""Synthetic plan documents for the analysis tests: the shape of `build/plan/<env>/plan.json`, built from the
catalog, deployable as built (every check passes), so a test injects exactly one fault and sees exactly it.

Resource types, input names and the mocks' id/ARN formats follow the real stacks; values are written out
here independently of the projects' code, so a test of the analysis never passes because both sides share a
bug.
"""
from __future__ import annotations

import json
from typing import Any

from shared import iam
from shared.catalog import SERVICES, WRITE_ACTIONS, Secret, Service, Store, callees

ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
VPC_CIDR = "10.0.0.0/16"
PRIVATE_CIDRS = ("10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18")
PUBLIC_CIDRS = ("10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20")
ALL_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "sns")
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


STORE_ARNS = {
    Store.ASSETS_BUCKET.value: "arn:aws:s3:::assets-dev",
    Store.TRADES_TABLE.value: arn("dynamodb", "table/trades-dev"),
    Store.ORDERS_QUEUE.value: arn("sqs", "orders-dev"),
    Store.EVENTS_TOPIC.value: arn("sns", "events-dev"),
}
SECRET_ARNS = {s.value: arn("secretsmanager", f"secret:{s.value.lower()}-dev-AbCdEf") for s in Secret}
GATEWAYS = ("s3", "dynamodb")
# Endpoint policies written out by hand: this account's buckets and ECR's layer bucket, this account's tables,
# this account's principals.
ENDPOINT_POLICIES = {
    "s3": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceAccount": ACCOUNT}}},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*"}]}),
    "dynamodb": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:*",
         "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/*"}]}),
    "interface": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}]}),
}
# The AWS API each store is reached through.
STORE_APIS = {Store.ASSETS_BUCKET: "s3", Store.TRADES_TABLE: "dynamodb", Store.ORDERS_QUEUE: "sqs",
              Store.EVENTS_TOPIC: "sns"}


def apis_of(service: Service) -> set[str]:
    """What the service's tasks call: ECR, S3 (layers) and logs to start, Secrets Manager for secrets, its stores."""
    return {"ecr.api", "ecr.dkr", "s3", "logs"} | ({"secretsmanager"} if service.secrets else set()) | {
        STORE_APIS[access.store] for access in service.stores}


class PlanBuilder:
    """Collects resources per stack; `document()` returns the plan dict."""

    def __init__(self, environment: str):
        self.environment = environment
        self.stacks: list[dict] = []

    def stack(self, project: str, stack: str, outputs: dict | None = None) -> dict:
        body = {"project": project, "stack": stack, "resources": [], "outputs": outputs or {}}
        self.stacks.append(body)
        return body

    @staticmethod
    def add(stack: dict, typ: str, logical: str, rid: str | None, **state: Any) -> dict:
        inputs = {k: v for k, v in state.items() if k not in ("arn",)}
        resource = {"urn": f"urn:pulumi:{stack['stack']}::{stack['project']}::{typ}::{logical}", "type": typ,
                    "name": logical, "custom": True, "parent": None, "inputs": inputs, "dependencies": [], "id": rid,
                    "state": dict(state)}
        stack["resources"].append(resource)
        return resource

    def document(self) -> dict:
        return {"environment": self.environment, "stacks": self.stacks}


def _network(b: PlanBuilder, nat: bool, endpoints: tuple[str, ...]) -> None:
    s = b.stack("network", b.environment)
    b.add(s, "aws:ec2/vpc:Vpc", "network-vpc", "vpc-1", cidrBlock=VPC_CIDR)
    b.add(s, "aws:ec2/internetGateway:InternetGateway", "network-igw", "igw-1", vpcId="vpc-1")
    b.add(s, "aws:ec2/routeTable:RouteTable", "network-public-rt", "rtb-public", vpcId="vpc-1")
    b.add(s, "aws:ec2/route:Route", "network-public-default", "r-public", routeTableId="rtb-public",
          destinationCidrBlock="0.0.0.0/0", gatewayId="igw-1")
    for i, zone in enumerate(ZONES):
        b.add(s, "aws:ec2/subnet:Subnet", f"network-public-{i}", f"subnet-public-{i}", vpcId="vpc-1",
              cidrBlock=PUBLIC_CIDRS[i], availabilityZone=zone)
        b.add(s, "aws:ec2/routeTableAssociation:RouteTableAssociation", f"network-public-rta-{i}",
              f"rtbassoc-public-{i}", subnetId=f"subnet-public-{i}", routeTableId="rtb-public")
        b.add(s, "aws:ec2/subnet:Subnet", f"network-private-{i}", f"subnet-private-{i}", vpcId="vpc-1",
              cidrBlock=PRIVATE_CIDRS[i], availabilityZone=zone)
        b.add(s, "aws:ec2/routeTable:RouteTable", f"network-private-rt-{i}", f"rtb-private-{i}", vpcId="vpc-1")
        b.add(s, "aws:ec2/routeTableAssociation:RouteTableAssociation", f"network-private-rta-{i}",
              f"rtbassoc-private-{i}", subnetId=f"subnet-private-{i}", routeTableId=f"rtb-private-{i}")
        if nat:
            b.add(s, "aws:ec2/route:Route", f"network-private-default-{i}", f"r-private-{i}",
                  routeTableId=f"rtb-private-{i}", destinationCidrBlock="0.0.0.0/0", natGatewayId="nat-0")
    if nat:
        b.add(s, "aws:ec2/natGateway:NatGateway", "network-nat-0", "nat-0", subnetId="subnet-public-0")
    private_tables = [f"rtb-private-{i}" for i in range(len(ZONES))]
    for service in GATEWAYS:
        b.add(s, "aws:ec2/vpcEndpoint:VpcEndpoint", f"network-gw-{service}", f"vpce-gw-{service}", vpcId="vpc-1",
              vpcEndpointType="Gateway", serviceName=f"com.amazonaws.{REGION}.{service}", routeTableIds=private_tables,
              prefixListId=f"pl-{service}", policy=ENDPOINT_POLICIES[service])
    # No ingress rule here: the platform admits each task group (see _platform).
    b.add(s, "aws:ec2/securityGroup:SecurityGroup", "network-endpoints-sg", "sg-endpoints", vpcId="vpc-1")
    for service in endpoints:
        b.add(s, "aws:ec2/vpcEndpoint:VpcEndpoint", f"network-if-{service.replace('.', '-')}",
              f"vpce-{service.replace('.', '-')}", vpcId="vpc-1", vpcEndpointType="Interface",
              serviceName=f"com.amazonaws.{REGION}.{service}", privateDnsEnabled=True,
              subnetIds=[f"subnet-private-{i}" for i in range(len(ZONES))], securityGroupIds=["sg-endpoints"],
              policy=ENDPOINT_POLICIES["interface"])


def _registry(b: PlanBuilder, services: tuple[Service, ...]) -> None:
    s = b.stack("registry", b.environment)
    for service in services:
        name = f"{service.name}-{b.environment}"
        b.add(s, "aws:ecr/repository:Repository", f"registry-{service.name}", name, name=name,
              arn=arn("ecr", f"repository/{name}"),
              repositoryUrl=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}")


def _rule(b: PlanBuilder, s: dict, direction: str, group: str, port: int, name: str, *, peer: str | None = None,
          cidr: str | None = None, prefix_list: str | None = None) -> None:
    typ = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" if direction == "in"
           else "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    extra = ({"referencedSecurityGroupId": peer} if peer else {"prefixListId": prefix_list} if prefix_list
             else {"cidrIpv4": cidr})
    b.add(s, typ, f"platform-{name}", f"sgr-{name}", securityGroupId=f"sg-{group}", ipProtocol="tcp",
          fromPort=float(port), toPort=float(port), **extra)


def _platform(b: PlanBuilder, services: tuple[Service, ...], endpoints: tuple[str, ...]) -> None:
    env = b.environment
    s = b.stack("platform", env, {
        "kmsKeyArn": KEY_ARN, "storeArns": dict(STORE_ARNS), "secretArns": dict(SECRET_ARNS),
        "serviceSecurityGroupIds": {sv.name: f"sg-{sv.name}" for sv in services}})
    log_groups = [arn("logs", f"log-group:/ecs/{sv.name}-{env}") for sv in services]
    b.add(s, "aws:kms/key:Key", "platform-key", KEY_ID, arn=KEY_ARN, keyId=KEY_ID, policy=iam.document(
        iam.account_root_statement("aws", ACCOUNT), iam.logs_key_statement(REGION, ACCOUNT, log_groups)))
    for secret in Secret:
        b.add(s, "aws:secretsmanager/secret:Secret", f"platform-secret-{secret.value.lower()}",
              SECRET_ARNS[secret.value], name=f"{secret.value.lower()}-dev", arn=SECRET_ARNS[secret.value],
              kmsKeyId=KEY_ARN)
    for group in ("alb", *tuple(sv.name for sv in services)):
        b.add(s, "aws:ec2/securityGroup:SecurityGroup", f"platform-sg-{group}", f"sg-{group}", vpcId="vpc-1",
              name=f"sg-{group}-{env}")
    _rule(b, s, "in", "alb", 80, "alb-in-internet-80", cidr="0.0.0.0/0")
    for service in services:
        if service.public is not None:
            _rule(b, s, "out", "alb", service.port, f"alb-eg-{service.name}", peer=f"sg-{service.name}")
            _rule(b, s, "in", service.name, service.port, f"{service.name}-in-alb", peer="sg-alb")
        for callee in callees(service, services):
            _rule(b, s, "out", service.name, callee.port, f"{service.name}-eg-{callee.name}", peer=f"sg-{callee.name}")
            _rule(b, s, "in", callee.name, callee.port, f"{callee.name}-in-{service.name}", peer=f"sg-{service.name}")
        if endpoints:
            _rule(b, s, "out", service.name, 443, f"{service.name}-eg-endpoints-443", peer="sg-endpoints")
            _rule(b, s, "in", "endpoints", 443, f"endpoints-in-{service.name}-443", peer=f"sg-{service.name}")
        for gateway in sorted(apis_of(service) & set(GATEWAYS)):
            _rule(b, s, "out", service.name, 443, f"{service.name}-eg-pl-{gateway}-443", prefix_list=f"pl-{gateway}")
        # The internet only for declared external calls and APIs without an endpoint.
        uncovered = apis_of(service) - set(endpoints) - set(GATEWAYS)
        for port in sorted({c.port for c in service.external} | ({443} if uncovered else set())):
            _rule(b, s, "out", service.name, port, f"{service.name}-eg-internet-{port}", cidr="0.0.0.0/0")
    alb_arn = arn("elasticloadbalancing", "loadbalancer/app/alb-dev/0123456789abcdef")
    b.add(s, "aws:lb/loadBalancer:LoadBalancer", "platform-alb", alb_arn, arn=alb_arn, name=f"alb-{env}",
          loadBalancerType="application", securityGroups=["sg-alb"],
          subnets=[f"subnet-public-{i}" for i in range(len(ZONES))])
    listener = arn("elasticloadbalancing", "listener/app/alb-dev/0123456789abcdef/fedcba9876543210")
    b.add(s, "aws:lb/listener:Listener", "platform-http", listener, arn=listener, loadBalancerArn=alb_arn, port=80.0)


def _statements_for_stores(service: Service) -> list[dict]:
    statements, kms = [], set()
    for access in service.stores:
        store_arn = STORE_ARNS[access.store.value]
        resource = f"{store_arn}/*" if access.store is Store.ASSETS_BUCKET else store_arn
        statements.append(iam.statement(access.store.value, access.actions, [resource]))
        kms |= {"kms:Decrypt", "kms:GenerateDataKey"} if set(access.actions) & WRITE_ACTIONS else {"kms:Decrypt"}
    if kms:
        via = {"StringEquals": {"kms:ViaService": [f"sqs.{REGION}.amazonaws.com"]}}
        statements.append(iam.statement("StoreKeys", sorted(kms), [KEY_ARN], condition=via))
    return statements


def _service(b: PlanBuilder, service: Service) -> None:
    env = b.environment
    s = b.stack("services", f"{service.name}-{env}")
    group = f"/ecs/{service.name}-{env}"
    group_arn = arn("logs", f"log-group:{group}")
    b.add(s, "aws:cloudwatch/logGroup:LogGroup", f"{service.name}-logs", group, name=group, arn=group_arn,
          kmsKeyId=KEY_ARN, retentionInDays=30.0)
    trust = iam.service_trust_policy("ecs-tasks.amazonaws.com", ACCOUNT)
    roles = {}
    for kind in ("execution", "task"):
        name = f"{service.name}-{kind}-{env}"
        roles[kind] = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        b.add(s, "aws:iam/role:Role", f"{service.name}-{kind}-role", name, name=name, arn=roles[kind],
              assumeRolePolicy=trust)
    repository = f"{service.name}-{env}"
    execution = [
        iam.statement("EcrLogin", ["ecr:GetAuthorizationToken"], "*"),
        iam.statement("Pull", ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                      [arn("ecr", f"repository/{repository}")]),
        iam.statement("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group_arn}:*"]),
    ]
    if service.secrets:
        execution.append(iam.statement("Secrets", ["secretsmanager:GetSecretValue"],
                                        [SECRET_ARNS[x.value] for x in service.secrets]))
        execution.append(iam.statement("SecretsKey", ["kms:Decrypt"], [KEY_ARN], condition={
            "StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}}))
    b.add(s, "aws:iam/rolePolicy:RolePolicy", f"{service.name}-execution-policy", f"{service.name}-execution",
          role=f"{service.name}-execution-{env}", policy=iam.document(*execution))
    if service.stores:
        b.add(s, "aws:iam/rolePolicy:RolePolicy", f"{service.name}-task-policy", f"{service.name}-task",
              role=f"{service.name}-task-{env}", policy=iam.document(*_statements_for_stores(service)))
    container = {
        "name": service.name, "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repository}:1.0.0",
        "essential": True, "user": "10001:10001", "readonlyRootFilesystem": True,
        "portMappings": [{"containerPort": service.port, "protocol": "tcp"}],
        "environment": [{"name": "SERVICE_NAME", "value": service.name}],
        "secrets": [{"name": x.value, "valueFrom": SECRET_ARNS[x.value]} for x in service.secrets],
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": service.name}},
    }
    family = f"{service.name}-{env}"
    task_definition = arn("ecs", f"task-definition/{family}:1")
    b.add(s, "aws:ecs/taskDefinition:TaskDefinition", f"{service.name}-task", family, family=family,
          arn=task_definition, containerDefinitions=json.dumps([container]), executionRoleArn=roles["execution"],
          taskRoleArn=roles["task"], networkMode="awsvpc", cpu=str(service.cpu), memory=str(service.memory))
    balancers = []
    if service.public is not None:
        tg = arn("elasticloadbalancing", f"targetgroup/tg-{service.name}-{env}/0123456789abcdef")
        b.add(s, "aws:lb/targetGroup:TargetGroup", f"{service.name}-tg", tg, arn=tg, name=f"tg-{service.name}-{env}",
              targetType="ip", port=float(service.port), protocol="HTTP")
        listener = arn("elasticloadbalancing", "listener/app/alb-dev/0123456789abcdef/fedcba9876543210")
        rule = listener.replace(":listener/", ":listener-rule/") + "/1"
        b.add(s, "aws:lb/listenerRule:ListenerRule", f"{service.name}-rule", rule, arn=rule, listenerArn=listener,
              priority=float(service.public.priority), actions=[{"type": "forward", "targetGroupArn": tg}])
        balancers = [{"targetGroupArn": tg, "containerName": service.name, "containerPort": float(service.port)}]
    b.add(s, "aws:ecs/service:Service", f"{service.name}-service", f"svc-{service.name}", name=service.name,
          arn=arn("ecs", f"service/cluster-{env}/{service.name}"), taskDefinition=task_definition,
          networkConfiguration={"subnets": [f"subnet-private-{i}" for i in range(len(ZONES))],
                                "securityGroups": [f"sg-{service.name}"], "assignPublicIp": False},
          loadBalancers=balancers, enableExecuteCommand=False)


def build_plan(environment: str = "dev", *, nat: bool = True, endpoints: tuple[str, ...] = ALL_ENDPOINTS,
               services: tuple[Service, ...] = SERVICES) -> dict:
    b = PlanBuilder(environment)
    _network(b, nat, endpoints)
    _registry(b, services)
    _platform(b, services, endpoints)
    for service in services:
        _service(b, service)
    return b.document()


# -- fault injection helpers --------------------------------------------------------------------------------
def resource(document: dict, name: str) -> dict:
    found = [r for s in document["stacks"] for r in s["resources"] if r["name"] == name]
    assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
    return found[0]


def set_state(document: dict, name: str, **values: Any) -> dict:
    """Change inputs and state alike, as a different program would have registered them."""
    target = resource(document, name)
    target["state"].update(values)
    target["inputs"].update(values)
    return target


def remove(document: dict, name: str) -> None:
    for stack in document["stacks"]:
        stack["resources"] = [r for r in stack["resources"] if r["name"] != name]


def edit_policy(document: dict, name: str, edit, key: str = "policy") -> None:
    """Apply `edit(statements)` (in place) to the policy JSON of resource `name`."""
    body = json.loads(resource(document, name)["state"][key])
    edit(body["Statement"])
    set_state(document, name, **{key: json.dumps(body)})


def edit_containers(document: dict, name: str, edit) -> None:
    containers = json.loads(resource(document, name)["state"]["containerDefinitions"])
    edit(containers)
    set_state(document, name, containerDefinitions=json.dumps(containers))
