"""Endpoint policies: every call a workload needs passes the policy of the endpoint on its path, and the
endpoints refuse what would move data out of the account.

Needed calls, from the plan: pulling the image (ECR login, the image, its layers from ECR's S3 bucket), writing
logs, reading each secret, and every data action the task role (or a function's role) grants on a store. Each is
judged as its endpoint would judge it (the endpoint of `reachability.endpoint_for`; a call through NAT meets no
endpoint policy), with the principal's and the resource's account as the request context. Refused, on every
endpoint of the plan: the S3 gateway writing to a bucket of another account, the DynamoDB gateway reaching a
table of another account, an interface endpoint serving a principal of another account.

Condition operators read: StringEquals, StringLike, ArnEquals, ArnLike on aws:PrincipalAccount and
aws:ResourceAccount; any other condition is taken as not met (an allow it guards is not counted).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared import iam
from tools.analysis import network
from tools.analysis.findings import ENDPOINT_POLICIES, failed, passed
from tools.analysis.plan import Plan, Resource
from tools.analysis.reachability import clients, endpoint_for
from tools.findings import Finding

FOREIGN_ACCOUNT = "999999999999"  # an account that is not this one, for the exfiltration probes
AWS_OWNED = "aws"  # the account of ECR's layer bucket, as far as a policy can tell: not this one
OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "stringequals": iam.resource_matches, "arnequals": iam.resource_matches,
    "stringlike": iam.wildcard_match, "arnlike": iam.wildcard_match}


@dataclass(frozen=True)
class Call:
    api: str
    action: str
    resource: str
    resource_account: str
    why: str


def policy_allows(statements: list[iam.Statement], call: Call, principal_account: str) -> bool:
    """The endpoint policy allows the call (no policy: AWS's default allows everything)."""
    context = {"aws:principalaccount": principal_account, "aws:resourceaccount": call.resource_account}

    def applies(statement: iam.Statement) -> bool:
        admits = statement.principals == ("*",) or any(
            p in ("*", principal_account, f"arn:aws:iam::{principal_account}:root")
            for p in statement.principal_types.get("AWS", ()))
        return (admits and statement.matches_action(call.action) and statement.matches_resource(call.resource)
                and conditions_met(statement.condition, context))

    denied = any(not s.is_allow and applies(s) for s in statements)
    return not denied and any(s.is_allow and applies(s) for s in statements)


def conditions_met(condition: Mapping, context: Mapping[str, str]) -> bool:
    for operator, block in condition.items():
        test = OPERATORS.get(str(operator).lower())
        for key, values in block.items():
            value = context.get(str(key).lower())
            patterns = [values] if isinstance(values, str) else list(values)
            if test is None or value is None or not any(test(str(p), value) for p in patterns):
                return False
    return True


def _policy(endpoint: Resource) -> list[iam.Statement] | None:
    text = endpoint.get("policy")
    return iam.parse_document(text) if text else None


def needed_calls(apis: list[str], account: str, region: str, statements: list[iam.Statement],
                 containers: list[dict]) -> list[Call]:
    """The calls a workload makes through endpoints: image pull, logs and secrets of its containers, and the
    data actions its role grants on named resources."""
    calls = []
    for container in containers:
        image = str(container.get("image", ""))
        repository = image.split("/", 1)[-1].split(":")[0] if ".dkr.ecr." in image else ""
        if repository:
            repo_arn = f"arn:aws:ecr:{region}:{account}:repository/{repository}"
            calls += [Call("ecr.api", "ecr:GetAuthorizationToken", "*", account, "image pull: ECR login"),
                      Call("ecr.api", "ecr:BatchGetImage", repo_arn, account, "image pull: manifest"),
                      Call("ecr.dkr", "ecr:GetDownloadUrlForLayer", repo_arn, account, "image pull: layer URL"),
                      Call("s3", "s3:GetObject", f"arn:aws:s3:::prod-{region}-starport-layer-bucket/layer",
                           AWS_OWNED, "image pull: layers from ECR's bucket")]
        group = ((container.get("logConfiguration") or {}).get("options") or {}).get("awslogs-group")
        if group:
            calls.append(Call("logs", "logs:PutLogEvents",
                              f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:x", account, "log writes"))
        calls += [Call("secretsmanager", "secretsmanager:GetSecretValue", str(s.get("valueFrom")), account,
                       f"secret {s.get('name')}") for s in container.get("secrets") or []]
    for statement in (s for s in statements if s.is_allow):
        for action in statement.actions:
            api = action.split(":")[0].lower()
            if api in apis and api not in ("kms", "logs", "ec2"):
                # a pattern stands for one resource it covers (`bucket/*` for an object of the bucket)
                calls += [Call(api, action, resource.replace("*", "x"), account, f"{statement.sid or action}")
                          for resource in statement.resources if not iam.is_unbounded_resource(resource)]
    return calls


def check(plan: Plan) -> list[Finding]:
    findings: list[Finding] = []
    views = {view.service.name: view for view in plan.views}
    for client, _ in clients(plan):
        view = views.get(client.name)
        role = view.task_role if view else _function_role(plan, client.name)
        if role is None:
            continue
        account, region = role.arn.split(":")[4], str(client.subnets[0].get("availabilityZone", ""))[:-1]
        statements = [s for source in plan.identity_policies(role)[0] for s in source.statements]
        calls = needed_calls(client.apis, account, region, statements, view.containers if view else [])
        for subnet in client.subnets[:1]:  # endpoints answer the whole VPC: one subnet stands for all
            for call in calls:
                endpoint = endpoint_for(plan, subnet, call.api)
                if endpoint is None:
                    continue
                statements_of = _policy(endpoint)
                if statements_of is not None and not policy_allows(statements_of, call, account):
                    findings.append(failed(ENDPOINT_POLICIES, client.name, endpoint.label,
                                           f"{call.why}: the policy of {endpoint.label} refuses {call.action} on "
                                           f"{call.resource}; admit this account's principals and resources"))
                else:
                    findings.append(passed(ENDPOINT_POLICIES, client.name, endpoint.label,
                                           f"{call.why}: {call.action} passes {endpoint.label}"))
    findings += _exfiltration(plan)
    return findings


def _function_role(plan: Plan, name: str) -> Resource | None:
    function = next((f for f in plan.of_type("aws:lambda/function:Function")
                     if str(f.get("name") or f.name) == name), None)
    return plan.by_arn(str(function.get("role", "")), "aws:iam/role:Role") if function else None


def _exfiltration(plan: Plan) -> list[Finding]:
    findings = []
    roles = plan.of_type("aws:iam/role:Role")
    account = roles[0].arn.split(":")[4] if roles else "123456789012"
    for endpoint in plan.of_type(network.VPC_ENDPOINT):
        api = network.endpoint_service(endpoint)
        region = str(endpoint.get("serviceName", "")).split(".")[2] if "." in str(endpoint.get("serviceName")) else ""
        if api == "s3":
            probe, principal = Call(api, "s3:PutObject", "arn:aws:s3:::bucket-of-another-account/x", FOREIGN_ACCOUNT,
                                    "a copy into a bucket of another account"), account
        elif api == "dynamodb":
            probe, principal = Call(api, "dynamodb:PutItem", f"arn:aws:dynamodb:{region}:{FOREIGN_ACCOUNT}:table/t",
                                    FOREIGN_ACCOUNT, "a write to a table of another account"), account
        else:
            probe, principal = Call(api, f"{api.split('.')[0]}:*", "*", FOREIGN_ACCOUNT,
                                    "a principal of another account"), FOREIGN_ACCOUNT
        statements = _policy(endpoint)
        if statements is None or policy_allows(statements, probe, principal):
            findings.append(failed(ENDPOINT_POLICIES, endpoint.stack, endpoint.label,
                                   f"{endpoint.label} lets through {probe.why} "
                                   f"({'it has no policy' if statements is None else 'its policy allows it'}); give "
                                   f"it a policy limited to this account (shared.resource_policies)"))
        else:
            findings.append(passed(ENDPOINT_POLICIES, endpoint.stack, endpoint.label, f"refuses {probe.why}"))
    return findings
