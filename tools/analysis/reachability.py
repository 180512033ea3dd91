"""AWS API reachability: from every subnet a service runs in, every AWS API its tasks call is reachable.

Which APIs: the ECS agent's (ECR api and dkr, S3 for image layers, CloudWatch Logs for awslogs, Secrets
Manager when the task has secrets) and the application's (the service prefix of each task-role action;
KMS actions limited by `kms:ViaService` are called by that service, not by the task). How: an interface
endpoint with private DNS answers for its service in the whole VPC, so when one exists the task must reach
it (an ENI in the subnet's AZ, the endpoint's group admitting the task, the task's group letting 443 out to
it); otherwise a gateway endpoint on the subnet's route table with 443 egress to its prefix list (or to
anywhere), or a NAT route with 443 egress to anywhere.
Declared external calls need NAT. A Lambda function in the VPC (the JWT rotation function) is held to the same
paths for the APIs its code calls: the prefixes of its role's actions, less what the Lambda service calls with
the role itself (its log group, its network interfaces) and KMS used through another service. Sources:
https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html
"""
from __future__ import annotations

from dataclasses import dataclass

from tools.analysis import network
from tools.analysis.findings import REACHABILITY, failed, passed
from tools.analysis.plan import ROLE, SECURITY_GROUP, SUBNET, Plan, Resource, ServiceView
from tools.findings import Finding

HTTPS = 443
# APIs the ECS agent calls on Fargate (platform 1.4+) to start any task from ECR: the image's layers come
# from S3. https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
START_APIS = ("ecr.api", "ecr.dkr", "s3")
LOGS_API = "logs"
SECRETS_API = "secretsmanager"
# Endpoint service name of an IAM service prefix, where the two differ.
ENDPOINT_OF_PREFIX = {"ecr": "ecr.api"}


def required_apis(plan: Plan, view: ServiceView) -> list[str]:
    apis = list(START_APIS)
    if any((c.get("logConfiguration") or {}).get("logDriver") == "awslogs" for c in view.containers):
        apis.append(LOGS_API)
    if any(c.get("secrets") for c in view.containers):
        apis.append(SECRETS_API)
    if view.task_role is not None:
        sources, _ = plan.identity_policies(view.task_role)
        for statement in (s for source in sources for s in source.statements if s.is_allow):
            for action in statement.actions:
                prefix = action.split(":")[0].lower()
                if prefix == "kms" and statement.condition_values("kms:ViaService"):
                    continue  # the store's service calls KMS on the task's behalf
                apis.append(ENDPOINT_OF_PREFIX.get(prefix, prefix))
    return list(dict.fromkeys(apis))


LAMBDA_FUNCTION = "aws:lambda/function:Function"
# What the Lambda service calls with a function's role on its behalf, not the function's code through its ENIs.
LAMBDA_SERVICE_PREFIXES = frozenset({"logs", "ec2"})


@dataclass(frozen=True)
class Client:
    """Something with security groups in private subnets that calls AWS APIs: a service's tasks, a function."""

    name: str
    groups: list[Resource]
    subnets: list[Resource]
    apis: list[str]


def function_apis(plan: Plan, function: Resource) -> list[str]:
    """APIs a function's code calls, from its role's identity policies (see the module docstring)."""
    role = plan.by_arn(str(function.get("role", "")), ROLE)
    sources, _ = plan.identity_policies(role) if role is not None else ([], [])
    apis = []
    for statement in (s for source in sources for s in source.statements if s.is_allow):
        for action in statement.actions:
            prefix = action.split(":")[0].lower()
            if prefix in LAMBDA_SERVICE_PREFIXES or (prefix == "kms" and statement.condition_values("kms:ViaService")):
                continue
            apis.append(ENDPOINT_OF_PREFIX.get(prefix, prefix))
    return list(dict.fromkeys(apis))


def clients(plan: Plan) -> list[tuple[Client, ServiceView | None]]:
    """Every catalog service's tasks, then every VPC function of the plan."""
    found: list[tuple[Client, ServiceView | None]] = [
        (Client(view.service.name, view.security_groups, view.subnets, required_apis(plan, view)), view)
        for view in plan.views]
    for function in plan.of_type(LAMBDA_FUNCTION):
        vpc = function.get("vpcConfig") or {}
        groups = [g for g in (plan.by_id(SECURITY_GROUP, i) for i in vpc.get("securityGroupIds") or []) if g]
        subnets = [s for s in (plan.by_id(SUBNET, i) for i in vpc.get("subnetIds") or []) if s]
        if groups and subnets:
            found.append((Client(str(function.get("name") or function.name), groups, subnets,
                                 function_apis(plan, function)), None))
    return found


def check(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    for client, view in clients(plan):
        egress = network.rules(plan, network.group_ids(client.groups), ingress=False)
        for subnet in client.subnets:
            for api in client.apis:
                findings.append(_api(plan, client, egress, subnet, api))
            for call in view.service.external if view else ():
                findings.append(_external(plan, client, egress, subnet, call.purpose, call.port))
    return findings


def _endpoints(plan: Plan, api: str, kind: str) -> list[Resource]:
    return [e for e in plan.of_type(network.VPC_ENDPOINT)
            if network.endpoint_service(e) == api and e.get("vpcEndpointType", "Gateway") == kind]


def endpoint_for(plan: Plan, subnet: Resource, api: str) -> Resource | None:
    """The endpoint a call to `api` from `subnet` goes through: an interface endpoint with private DNS (it
    answers for the whole VPC), else a gateway endpoint on the subnet's route table; None: through NAT."""
    interface = [e for e in _endpoints(plan, api, "Interface") if e.get("privateDnsEnabled")]
    if interface:
        return interface[0]
    table = network.route_table_id(plan, subnet)
    return next((e for e in _endpoints(plan, api, "Gateway") if table in (e.get("routeTableIds") or [])), None)


def _api(plan: Plan, client: Client, egress: list[network.Rule], subnet: Resource, api: str) -> Finding:
    name = client.name
    interface = [e for e in _endpoints(plan, api, "Interface") if e.get("privateDnsEnabled")]
    if interface:
        return _interface(plan, client, egress, subnet, api, interface[0])
    table = network.route_table_id(plan, subnet)
    gateway = next((e for e in _endpoints(plan, api, "Gateway") if table in (e.get("routeTableIds") or [])), None)
    internet = network.opening(egress, HTTPS, cidrs=[network.INTERNET])
    if gateway is not None:
        prefix_list = gateway.get("prefixListId")
        out = network.opening(egress, HTTPS, prefix_lists=[prefix_list] if prefix_list else []) or internet
        if out is None:
            return failed(REACHABILITY, name, subnet.label,
                          f"{api}: gateway endpoint {gateway.label} is on route table {table}, but the task's "
                          f"security groups allow no {HTTPS} egress to its prefix list {prefix_list} (or to "
                          f"{network.INTERNET}); add that egress rule")
        return passed(REACHABILITY, name, subnet.label,
                      f"{api} through gateway endpoint {gateway.label} (out: {out.source})")
    nat, evidence = network.nat_path(plan, subnet)
    if not nat:
        region = str(subnet.get("availabilityZone", ""))[:-1]  # us-east-1a -> us-east-1
        return failed(REACHABILITY, name, subnet.label,
                      f"no way to the {api} API: no VPC endpoint com.amazonaws.{region}.{api} and {evidence}; "
                      f"add the '{api}' endpoint to the network stack or use a NAT strategy")
    if internet is None:
        return failed(REACHABILITY, name, subnet.label,
                      f"{api} through NAT ({evidence}) needs {HTTPS} egress to {network.INTERNET}, which the task's "
                      f"security groups do not allow")
    return passed(REACHABILITY, name, subnet.label, f"{api} through NAT: {evidence}, egress by {internet.source}")


def _interface(plan: Plan, client: Client, egress: list[network.Rule], subnet: Resource, api: str,
               endpoint: Resource) -> Finding:
    name = client.name
    endpoint_subnets = [s for s in (plan.by_id(SUBNET, i) for i in endpoint.get("subnetIds") or []) if s]
    zone = subnet.get("availabilityZone")
    if zone not in {s.get("availabilityZone") for s in endpoint_subnets}:
        return failed(REACHABILITY, name, subnet.label,
                      f"{api}: interface endpoint {endpoint.label} has no subnet in {zone}, where the task runs; add "
                      f"the AZ's private subnet to the endpoint")
    endpoint_groups = list(endpoint.get("securityGroupIds") or [])
    task_groups = network.group_ids(client.groups)
    ingress = network.opening(network.rules(plan, endpoint_groups, ingress=True), HTTPS, groups=task_groups,
                              cidrs=[subnet.get("cidrBlock")])
    if ingress is None:
        return failed(REACHABILITY, name, subnet.label,
                      f"{api}: interface endpoint {endpoint.label}'s security groups {endpoint_groups} admit no "
                      f"{HTTPS} from the task's groups {task_groups} or its subnet {subnet.get('cidrBlock')}")
    out = network.opening(egress, HTTPS, groups=endpoint_groups, cidrs=network.cidrs(endpoint_subnets))
    if out is None:
        return failed(REACHABILITY, name, subnet.label,
                      f"{api}: the task's security groups {task_groups} allow no {HTTPS} egress to interface "
                      f"endpoint {endpoint.label} (its groups or subnets)")
    return passed(REACHABILITY, name, subnet.label,
                  f"{api} through interface endpoint {endpoint.label} in {zone} (in: {ingress.source}; out: "
                  f"{out.source})")


def _external(plan: Plan, client: Client, egress: list[network.Rule], subnet: Resource, purpose: str,
              port: int) -> Finding:
    name = client.name
    nat, evidence = network.nat_path(plan, subnet)
    if not nat:
        return failed(REACHABILITY, name, subnet.label,
                      f"declared external call '{purpose}' (port {port}) needs NAT, but {evidence}; use a NAT "
                      f"strategy or remove the call from the catalog")
    if network.opening(egress, port, cidrs=[network.INTERNET]) is None:
        return failed(REACHABILITY, name, subnet.label,
                      f"declared external call '{purpose}' needs egress on port {port} to {network.INTERNET}, which "
                      f"the task's security groups do not allow")
    return passed(REACHABILITY, name, subnet.label, f"external call '{purpose}' on port {port}: {evidence}")
