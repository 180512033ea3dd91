"""AWS preflight: read-only checks of the account before a phase changes anything, each one line: pass, or
fail with the fix.

- before the first phase: who we are (STS) and the region every stack deploys to;
- before the first phase that creates ECS resources (platform or services): the ECS service-linked role, whose
  absence makes the first cluster creation fail ("Unable to assume the service linked role") and which AWS
  only creates lazily; refused with the command, or created on request (the one write here, opt-in);
- before the services phase (the repositories exist only once registry is deployed): every service's
  `imageTag` in its ECR repository, refused with the exact `build-push` commands; and the Fargate vCPU quotas
  against the peak of a deploy, a warning with the numbers (the quota may be raised while the deploy runs).

boto3 honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), so every check runs against a local
emulator as well; clients come from one `boto3.session.Session`, which tests replace.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from shared.fargate import CapacityShare
from shared.settings import DictConfigSource
from shared.settings.services import load_service_settings
from shared.stack_config import StackConfig
from shared.stacks import StackId

REGION = "us-east-1"  # every project's Pulumi.yaml fixes aws:region to it (shared/stack_config.py refuses others)
ECS_SERVICE_LINKED_ROLE = "AWSServiceRoleForECS"
ECS_SERVICE = "ecs.amazonaws.com"
CREATE_ROLE_COMMAND = f"aws iam create-service-linked-role --aws-service-name {ECS_SERVICE}"
# Service Quotas codes of the Fargate vCPU quotas (account-wide, per region):
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
ON_DEMAND_QUOTA = "L-3032A538"  # Fargate On-Demand vCPU resource count
SPOT_QUOTA = "L-36FBB829"       # Fargate Spot vCPU resource count
SPOT = "FARGATE_SPOT"
# A rolling deploy starts a full new set beside the old one (deploymentMaximumPercent 200, ROLLING_MAX_PERCENT in
# shared/components/service.py); blue/green starts the whole green set beside blue. Either way: twice the tasks.
PEAK_FACTOR = 2


@dataclass(frozen=True)
class Check:
    """One preflight line. `blocking=False` makes a failure a warning: the run goes on."""

    name: str
    ok: bool
    detail: str
    blocking: bool = True

    @property
    def refuses(self) -> bool:
        return not self.ok and self.blocking

    def __str__(self) -> str:
        status = "pass" if self.ok else ("FAIL" if self.blocking else "WARN")
        return f"preflight {status}  {self.name}: {self.detail}"


def error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


# --- what the services need: pure, from the stack config ---------------------------------------------------------
@dataclass(frozen=True)
class ServiceNeeds:
    """What one service stack needs from the account: its image, and vCPUs at the peak of a deploy."""

    stack: StackId
    service: str
    image_tag: str
    vcpu: float  # per task
    max_capacity: int
    spot_tasks: float  # of max_capacity, by the capacity strategy
    blue_green: bool

    @property
    def on_demand_peak(self) -> float:
        return (self.max_capacity - self.spot_tasks) * self.vcpu * PEAK_FACTOR

    @property
    def spot_peak(self) -> float:
        return self.spot_tasks * self.vcpu * PEAK_FACTOR


def tasks_on_spot(tasks: int, shares: Sequence[CapacityShare]) -> float:
    """Of `tasks`, how many the strategy puts on Spot: each provider's base first (in order), the rest by
    weight (ECS's placement rule, API_CapacityProviderStrategyItem)."""
    remaining, spot = float(tasks), 0.0
    for share in shares:
        placed = min(float(share.base), remaining)
        remaining -= placed
        spot += placed if share.provider == SPOT else 0.0
    weights = sum(share.weight for share in shares)
    if weights:
        spot += remaining * sum(share.weight for share in shares if share.provider == SPOT) / weights
    return spot


def service_needs(config: StackConfig) -> ServiceNeeds:
    """A service stack's needs, from its config as the CLI hands it over (the settings' own validation)."""
    stack = config.stack
    prefix = f"{stack.project}:"
    values = {key[len(prefix):]: value for key, value in config.values.items() if key.startswith(prefix)}
    settings = load_service_settings(DictConfigSource(stack.project, stack.stack, values,
                                                      frozenset(k[len(prefix):] for k in config.secret_keys)))
    return ServiceNeeds(stack, settings.service.name, settings.image_tag, settings.cpu / 1024,
                        settings.max_capacity, tasks_on_spot(settings.max_capacity, settings.capacity_strategy),
                        settings.blue_green)


def build_push_command(needs: ServiceNeeds, environment: str) -> str:
    return f"./dev build-push --service {needs.service} --tag {needs.image_tag} --env {environment}"


def quota_checks(needs: Sequence[ServiceNeeds], quotas: Mapping[str, float | None]) -> list[Check]:
    """The deploy's peak against each Fargate vCPU quota; a warning with the numbers when it does not fit."""
    checks = []
    for code, label, peak in ((ON_DEMAND_QUOTA, "On-Demand", sum(n.on_demand_peak for n in needs)),
                              (SPOT_QUOTA, "Spot", sum(n.spot_peak for n in needs))):
        quota = quotas.get(code)
        parts = ", ".join(f"{n.service} {(n.on_demand_peak if code == ON_DEMAND_QUOTA else n.spot_peak):g}"
                          f"{' (blue/green)' if n.blue_green else ''}" for n in needs)
        name = f"Fargate {label} vCPU quota ({code})"
        if quota is None:
            checks.append(Check(name, False, "could not be read (Service Quotas denied or unavailable); check it in "
                                             "the console before a large deploy", blocking=False))
        elif peak <= quota:
            checks.append(Check(name, True, f"peak {peak:g} vCPU of {quota:g} ({parts})"))
        else:
            checks.append(Check(name, False, f"peak {peak:g} vCPU during the deploy (maxCapacity x vCPU x "
                                             f"{PEAK_FACTOR}: {parts}) exceeds the quota {quota:g}: tasks beyond it "
                                             f"stay PROVISIONING; request an increase of {code} in Service Quotas",
                                blocking=False))
    return checks


# --- the checks against the account ------------------------------------------------------------------------------
class Preflight:
    """The read-only checks, through one boto3 session (default credentials, region us-east-1)."""

    def __init__(self, session: boto3.session.Session | None = None,
                 environ: Mapping[str, str] | None = None):
        self.session = session or boto3.session.Session()
        self.environ = os.environ if environ is None else environ
        self._clients: dict[str, object] = {}

    def client(self, name: str):  # boto3 clients have no static type here
        if name not in self._clients:
            self._clients[name] = self.session.client(name, region_name=REGION)  # type: ignore[call-overload]
        return self._clients[name]

    def identity(self) -> Check:
        endpoint = self.environ.get("AWS_ENDPOINT_URL")
        where = f" (endpoint {endpoint})" if endpoint else ""
        try:
            found = self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as error:
            return Check("AWS identity", False, f"no usable credentials{where} ({error_code(error)}: {error}); set "
                                                "AWS_PROFILE, or run `aws configure` / `aws sso login`")
        return Check("AWS identity", True, f"account {found['Account']} as {found['Arn']}{where}")

    def region(self, configs: Sequence[StackConfig]) -> Check:
        """Every stack deploys to REGION; a shell pointing elsewhere is named (build-push and verify follow it)."""
        other = sorted({f"{c.stack} ({c.values.get('aws:region')})" for c in configs
                        if c.values.get("aws:region", REGION) != REGION})
        if other:
            return Check("region", False, f"{', '.join(other)} set aws:region to another region than {REGION}; "
                                          f"every rule here assumes {REGION}: remove the override")
        shell = self.environ.get("AWS_REGION") or self.environ.get("AWS_DEFAULT_REGION")
        note = (f"; note: this shell's AWS_REGION is {shell}, export AWS_REGION={REGION} for build-push and verify"
                if shell and shell != REGION else "")
        return Check("region", True, f"{REGION} (aws:region of every stack){note}")

    def service_linked_role(self, create: bool = False) -> Check:
        name = f"ECS service-linked role {ECS_SERVICE_LINKED_ROLE}"
        iam = self.client("iam")
        try:
            iam.get_role(RoleName=ECS_SERVICE_LINKED_ROLE)
            return Check(name, True, "exists")
        except ClientError as error:
            if error_code(error) != "NoSuchEntity":
                return Check(name, False, f"cannot be read ({error_code(error)}); allow iam:GetRole, or check it in "
                                          f"the console")
        if not create:
            return Check(name, False, f"missing: the first ECS cluster creation would fail (\"Unable to assume the "
                                      f"service linked role\"); create it: `{CREATE_ROLE_COMMAND}`, or re-run with "
                                      f"--create-service-linked-role")
        try:
            iam.create_service_linked_role(AWSServiceName=ECS_SERVICE)
        except ClientError as error:
            return Check(name, False, f"could not be created ({error_code(error)}: {error}); run "
                                      f"`{CREATE_ROLE_COMMAND}` with an administrator's credentials")
        return Check(name, True, "created (--create-service-linked-role)")

    def missing_images(self, needs: Sequence[ServiceNeeds], repository_urls: Mapping[str, str]) -> list[str]:
        """Services whose image tag is not in their repository; problems other than a missing image raise."""
        from tools.release import ReleaseError, Repository

        ecr = self.client("ecr")
        missing = []
        for need in needs:
            url = repository_urls.get(need.service)
            if not url:
                raise PreflightError(f"the registry stack has no repository for {need.service}; redeploy the registry")
            try:
                repository = Repository.parse(url)
            except ReleaseError as error:
                raise PreflightError(str(error)) from None
            try:
                ecr.describe_images(registryId=repository.account, repositoryName=repository.name,
                                    imageIds=[{"imageTag": need.image_tag}])
            except ClientError as error:
                if error_code(error) != "ImageNotFoundException":
                    raise PreflightError(f"cannot read ECR repository {repository.name} ({error_code(error)}); "
                                         f"check that the registry stack is deployed and your credentials") from None
                missing.append(need.service)
        return missing

    def images(self, needs: Sequence[ServiceNeeds], repository_urls: Mapping[str, str], environment: str) -> Check:
        try:
            missing = set(self.missing_images(needs, repository_urls))
        except PreflightError as error:
            return Check("service images", False, str(error))
        if missing:
            commands = "\n".join(f"    {build_push_command(n, environment)}" for n in needs if n.service in missing)
            return Check("service images", False, f"{len(missing)} image(s) not in ECR; build and push them (or "
                                                   f"re-run deploy-all with --build-images):\n{commands}")
        return Check("service images", True, ", ".join(f"{n.service}:{n.image_tag}" for n in needs) + " in ECR")

    def quotas(self, needs: Sequence[ServiceNeeds]) -> list[Check]:
        found: dict[str, float | None] = {}
        quotas = self.client("service-quotas")
        for code in (ON_DEMAND_QUOTA, SPOT_QUOTA):
            try:
                found[code] = float(quotas.get_service_quota(ServiceCode="fargate", QuotaCode=code)["Quota"]["Value"])
            except (BotoCoreError, ClientError):
                found[code] = None
        return quota_checks(needs, found)


class PreflightError(RuntimeError):
    """A check could not be made; the message says why and what to do."""
