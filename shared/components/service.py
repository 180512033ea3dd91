"""One trading service on ECS Fargate: task definition, IAM, log group, Cloud Map, routing, autoscaling.

Everything a service is comes from its catalog entry (`settings.service`) and what a team tunes comes from
its stack config (`settings`); upstream stacks are read only through `ServiceUpstream.read`, which narrows
each platform map to this service and fails before any resource exists when an entry is missing. Another
service's stack is never read, so the service stacks deploy in parallel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.sync_await import _sync_await

from shared import iam
from shared.alarms import service_alarms
from shared.components import component_type
from shared.components.context import AwsContext, named_opts
from shared.contracts import SERVICES as SERVICES_CONTRACT
from shared.naming import physical_name
from shared.settings.services import ServiceSettings
from shared.stackio import Upstream, UpstreamError
from shared.taskdef import ContainerInputs, container_definitions_json

LOG_RETENTION_DAYS = 30
CLOUD_MAP_TTL_SECONDS = 10  # short, so callers stop resolving a stopped task's address within seconds
# ECS rolls a failed deployment back after the circuit breaker trips; `up` waits for steady state so it fails
# then too. Both need more than the provider's 20-minute default when a rollback follows a slow start.
SERVICE_TIMEOUT_MINUTES = 30  # plus the bake time under blue/green, which `up` also waits out
ROLLING_MIN_HEALTHY_PERCENT = 100  # never below the desired count during a release
ROLLING_MAX_PERCENT = 200          # a full new set starts before the old one stops
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
# AWS-managed policy letting ECS rewrite listener rules and target groups during a native blue/green release.
ECS_LB_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"
BLUE_GREEN_WEIGHTS = (100, 0)  # production (blue) group, alternate (green) group, outside a release
TEST_HEADER_VALUE = "green"


@dataclass(frozen=True)
class ServiceUpstream:
    """Upstream outputs, already narrowed to this service (its repository, security group, secrets, stores)."""

    vpc_id: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list]
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    listener_arn: pulumi.Output[str]
    namespace_id: pulumi.Output[str]
    namespace_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    secret_arns: pulumi.Output[dict]  # catalog Secret value -> ARN, this service's secrets only
    store_names: pulumi.Output[dict]  # catalog Store value -> name/URL/ARN, this service's stores only
    store_arns: pulumi.Output[dict]   # catalog Store value -> ARN, this service's stores only
    alarm_topic_arn: pulumi.Output[str]
    alb_arn_suffix: pulumi.Output[str]

    @staticmethod
    def read(settings: ServiceSettings) -> "ServiceUpstream":
        """StackReferences to network, registry and platform of the service's environment."""
        env = settings.common.environment
        network = Upstream(SERVICES_CONTRACT, "network", env)
        registry = Upstream(SERVICES_CONTRACT, "registry", env)
        platform = Upstream(SERVICES_CONTRACT, "platform", env)
        platform_suffix = _sync_await(platform.get("environmentSuffix").future())
        if platform_suffix != settings.common.environment_suffix:
            raise UpstreamError(
                f"config services:environmentSuffix = {settings.common.environment_suffix!r} differs from the "
                f"suffix {platform_suffix!r} of stack {platform.name}; the platform's key only admits log groups "
                f"named log-*-{platform_suffix}: set services:environmentSuffix to {platform_suffix!r}")
        service = settings.service
        secrets = [s.value for s in service.secrets]
        stores = [a.store.value for a in service.stores]
        return ServiceUpstream(
            vpc_id=network.get("vpcId"),
            private_subnet_ids=network.get("privateSubnetIds"),
            repository_url=_entry(registry, "repositoryUrls", service.name),
            repository_arn=_entry(registry, "repositoryArns", service.name),
            cluster_name=platform.get("clusterName"),
            cluster_arn=platform.get("clusterArn"),
            listener_arn=platform.get("serviceListenerArn"),
            namespace_id=platform.get("namespaceId"),
            namespace_name=platform.get("namespaceName"),
            security_group_id=_entry(platform, "serviceSecurityGroupIds", service.name),
            kms_key_arn=platform.get("kmsKeyArn"),
            secret_arns=_entries(platform, "secretArns", secrets),
            store_names=_entries(platform, "storeNames", stores),
            store_arns=_entries(platform, "storeArns", stores),
            alarm_topic_arn=platform.get("alarmTopicArn"),
            alb_arn_suffix=platform.get("albArnSuffix"),
        )


def _entries(upstream: Upstream, key: str, wanted: list[str]) -> pulumi.Output[dict]:
    """The map output `key` narrowed to `wanted`; a missing entry stops the program before any resource exists
    (the platform was deployed from an older catalog)."""
    output = upstream.get(key)
    present = _sync_await(output.future()) or {}
    missing = [w for w in wanted if w not in present]
    if missing:
        raise UpstreamError(f"stack {upstream.name} output {key} has no entry for {', '.join(missing)}; the "
                            f"{upstream.producer} stack predates the catalog entry - redeploy {upstream.producer} "
                            f"(`invoke deploy --project {upstream.producer}`) before this service")
    return output.apply(lambda values: {w: values[w] for w in wanted})


def _entry(upstream: Upstream, key: str, wanted: str) -> pulumi.Output[str]:
    return _entries(upstream, key, [wanted]).apply(lambda values: values[wanted])


@dataclass(frozen=True)
class TradingServiceArgs:
    """Inputs of one service stack.

    settings: validated stack settings (shared.settings.services); `settings.service` is the catalog entry.
    upstream: the narrowed upstream outputs (`ServiceUpstream.read`).
    context: account, partition and region of the deployment.
    """

    settings: ServiceSettings
    upstream: ServiceUpstream
    context: AwsContext


class TradingService(pulumi.ComponentResource):
    log_group: aws.cloudwatch.LogGroup
    execution_role: aws.iam.Role
    task_role: aws.iam.Role
    task_definition: aws.ecs.TaskDefinition
    discovery: aws.servicediscovery.Service
    target_group: aws.lb.TargetGroup | None
    alternate_target_group: aws.lb.TargetGroup | None
    listener_rule: aws.lb.ListenerRule | None
    test_listener_rule: aws.lb.ListenerRule | None
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    infrastructure_role: aws.iam.Role | None
    ecs_service: aws.ecs.Service
    scalable_target: aws.appautoscaling.Target

    def __init__(self, name: str, args: TradingServiceArgs, opts: pulumi.ResourceOptions | None = None):
        settings, up, ctx = args.settings, args.upstream, args.context
        service, suffix = settings.service, settings.common.environment_suffix
        # Every physical name is computed (and checked against AWS limits) before anything is registered.
        self.names = {
            "log": physical_name("log", suffix, service.name),
            "exec_role": physical_name("role", suffix, f"{service.name}-exec"),
            "task_role": physical_name("role", suffix, f"{service.name}-task"),
            "family": physical_name("td", suffix, service.name),
            "service": physical_name("svc", suffix, service.name),
            "tg": physical_name("tg", suffix, service.name),
            "tga": physical_name("tga", suffix, service.name),
            "infra_role": physical_name("role", suffix, f"{service.name}-ecs-lb"),
            "scaling_cpu": physical_name("scaling", suffix, f"{service.name}-cpu"),
            "scaling_open": physical_name("scaling", suffix, f"{service.name}-market-open"),
            "scaling_close": physical_name("scaling", suffix, f"{service.name}-market-close"),
        }
        super().__init__(component_type("services", "TradingService"), name, None, opts)
        self.settings = settings

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=self.names["log"], retention_in_days=LOG_RETENTION_DAYS, kms_key_id=up.kms_key_arn,
            opts=named_opts("log", self))
        self.execution_role, self.task_role = self._roles(name, up, ctx)
        self.task_definition = self._task_definition(name, up, ctx)
        self.discovery = self._discovery(name, up)
        self.alternate_target_group = self.test_listener_rule = self.infrastructure_role = None
        self._routing(name, up)
        self.alarms = self._alarms(name, up)
        infrastructure = self._infrastructure_role(name, ctx) if settings.blue_green else None
        self.ecs_service = self._service(name, up, infrastructure)
        self.scalable_target = self._autoscaling(name, up)

        self.discovery_name = up.namespace_name.apply(lambda ns: f"{service.name}.{ns}")
        self.register_outputs({
            "serviceName": self.ecs_service.name,
            "serviceArn": self.ecs_service.arn,
            "taskDefinitionArn": self.task_definition.arn,
            "logGroupName": self.log_group.name,
            "discoveryName": self.discovery_name,
            "targetGroupArn": self.target_group_arn,
            "deploymentStrategy": settings.deployment_strategy,
        })

    @property
    def target_group_arn(self) -> pulumi.Output[str]:
        return self.target_group.arn if self.target_group else pulumi.Output.from_input("")

    def _opts(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _roles(self, name: str, up: ServiceUpstream, ctx: AwsContext) -> tuple[aws.iam.Role, aws.iam.Role]:
        settings, service = self.settings, self.settings.service
        trust = pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id).apply(
            lambda p: iam.ecs_tasks_trust_policy(p[0], p[1], p[2]))
        execution = aws.iam.Role(f"{name}-execution-role", name=self.names["exec_role"], assume_role_policy=trust,
                                 description=f"ECS agent starting {service.name}: pull, logs, secrets",
                                 opts=named_opts("role", self))
        aws.iam.RolePolicy(
            f"{name}-execution", role=execution.id,
            policy=pulumi.Output.all(ctx.region, up.repository_arn, self.log_group.arn, up.secret_arns,
                                     up.kms_key_arn).apply(
                lambda p: iam.execution_role_policy(region=p[0], repository_arn=p[1], log_group_arn=p[2],
                                                    secret_arns=list(p[3].values()), kms_key_arn=p[4])),
            opts=self._opts())
        task = aws.iam.Role(f"{name}-task-role", name=self.names["task_role"], assume_role_policy=trust,
                            description=f"{service.name} application: its catalog data stores only",
                            opts=named_opts("role", self))
        if service.stores or settings.enable_execute_command:
            aws.iam.RolePolicy(
                f"{name}-task", role=task.id,
                policy=pulumi.Output.all(ctx.region, up.store_arns, up.kms_key_arn).apply(
                    lambda p: iam.document(*iam.task_role_statements(
                        region=p[0], kms_key_arn=p[2], execute_command=settings.enable_execute_command,
                        grants=[(f"{a.store.name.title().replace('_', '')}Access", a.actions, p[1][a.store.value])
                                for a in service.stores]))),
                opts=self._opts())
        return execution, task

    def _task_definition(self, name: str, up: ServiceUpstream, ctx: AwsContext) -> aws.ecs.TaskDefinition:
        settings, service = self.settings, self.settings.service
        image = pulumi.Output.concat(up.repository_url, ":", settings.image_tag)
        definitions = pulumi.Output.all(image, ctx.region, up.namespace_name, up.secret_arns, up.store_names).apply(
            lambda p: container_definitions_json(ContainerInputs(
                service=service, image=p[0], environment=settings.common.environment, region=p[1],
                log_level=settings.log_level, log_group=self.names["log"], namespace=p[2],
                callees=settings.callees, secret_arns=p[3], store_values=p[4], venue_url=settings.venue_url,
                readonly_root_filesystem=settings.readonly_root_filesystem)))
        return aws.ecs.TaskDefinition(
            f"{name}-task", family=self.names["family"], cpu=str(service.cpu), memory=str(service.memory),
            network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            execution_role_arn=self.execution_role.arn, task_role_arn=self.task_role.arn,
            container_definitions=definitions, volumes=[{"name": service.contract.tmp_volume}],
            opts=named_opts("td", self, depends_on=[self.log_group]))

    def _discovery(self, name: str, up: ServiceUpstream) -> aws.servicediscovery.Service:
        # The Cloud Map name is the bare service name: the namespace is already per environment, and callers
        # build `http://<service>.<namespace>:<port>` from the catalog alone.
        return aws.servicediscovery.Service(
            f"{name}-discovery", name=self.settings.service.name,
            description=f"A records of {self.settings.service.name} tasks",
            dns_config={"namespace_id": up.namespace_id, "routing_policy": "MULTIVALUE",
                        "dns_records": [{"type": "A", "ttl": CLOUD_MAP_TTL_SECONDS}]},
            # ECS reports task health to Cloud Map, so a failing task leaves DNS (no Route 53 health checks
            # can reach private IPs). The threshold is deprecated and AWS forces 1, but an empty block is
            # dropped by the provider (pulumi-aws#6289), leaving no custom health check and a perpetual diff.
            health_check_custom_config={"failure_threshold": 1},
            force_destroy=True,
            opts=named_opts("sd", self))

    def _routing(self, name: str, up: ServiceUpstream) -> None:
        """Target group(s) and listener rule(s) of a public service; nothing for an internal one."""
        settings, service = self.settings, self.settings.service
        self.target_group = self.listener_rule = None
        if service.public is None:
            return
        self.target_group = self._target_group(f"{name}-tg", self.names["tg"], up)
        paths = {"path_pattern": {"values": [service.public.path_pattern]}}
        suffix = settings.common.environment_suffix
        if not settings.blue_green:
            self.listener_rule = aws.lb.ListenerRule(
                f"{name}-rule", listener_arn=up.listener_arn, priority=service.public.priority,
                conditions=[paths], actions=[{"type": "forward", "target_group_arn": self.target_group.arn}],
                tags={"Name": f"rule-{service.name}-{suffix}"}, opts=self._opts())
            return
        self.alternate_target_group = self._target_group(f"{name}-tg-alternate", self.names["tga"], up)
        # ECS rewrites the weights during every release (and leaves the last green group at 100), so the
        # rule ignores its actions: otherwise the next `up` would send all traffic back to a group that may
        # be empty. The same logical name as the rolling rule: switching modes updates the rule in place.
        self.listener_rule = aws.lb.ListenerRule(
            f"{name}-rule", listener_arn=up.listener_arn, priority=service.public.priority,
            conditions=[paths], actions=[self._weighted_forward()],
            tags={"Name": f"rule-{service.name}-{suffix}"}, opts=self._opts(ignore_changes=["actions"]))
        if settings.test_header:
            # Evaluated just before the production rule: requests carrying the header reach green tasks
            # during the release's test phase, before any production traffic shifts.
            self.test_listener_rule = aws.lb.ListenerRule(
                f"{name}-test-rule", listener_arn=up.listener_arn, priority=service.public.priority - 1,
                conditions=[paths, {"http_header": {"http_header_name": settings.test_header,
                                                    "values": [TEST_HEADER_VALUE]}}],
                actions=[self._weighted_forward()],
                tags={"Name": f"rule-{service.name}-test-{suffix}"}, opts=self._opts(ignore_changes=["actions"]))

    def _weighted_forward(self) -> dict:
        blue, green = BLUE_GREEN_WEIGHTS
        return {"type": "forward", "forward": {"target_groups": [
            {"arn": self.target_group.arn, "weight": blue},
            {"arn": self.alternate_target_group.arn, "weight": green}]}}

    def _alarms(self, name: str, up: ServiceUpstream) -> dict[str, aws.cloudwatch.MetricAlarm]:
        """The service's alarms, all notifying the platform's alarm topic; created before the service so the
        release-relevant ones can be its deployment alarms."""
        settings, suffix = self.settings, self.settings.common.environment_suffix
        groups = [g for g in (self.target_group, self.alternate_target_group) if g is not None]
        # The specs hold upstream Outputs as dimension values; the engine resolves them inside the inputs.
        self.alarm_specs = service_alarms(
            cluster=up.cluster_name, service=self.names["service"], cpu_percent=settings.cpu_alarm_percent,
            load_balancer=up.alb_arn_suffix if groups else None, target_groups=[g.arn_suffix for g in groups])
        return {spec.key: aws.cloudwatch.MetricAlarm(
            f"{name}-alarm-{spec.key}", name=physical_name("alarm", suffix, f"{settings.service.name}-{spec.key}"),
            alarm_description=spec.description, metric_queries=spec.metric_queries,
            comparison_operator=spec.comparison_operator, threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods, datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[up.alarm_topic_arn], ok_actions=[up.alarm_topic_arn],
            opts=named_opts("alarm", self)) for spec in self.alarm_specs}

    def _deployment_alarm_names(self) -> list[pulumi.Output[str]]:
        return [self.alarms[spec.key].name for spec in self.alarm_specs if spec.deployment]

    def _infrastructure_role(self, name: str, ctx: AwsContext) -> aws.iam.RolePolicyAttachment:
        """The role ECS assumes to shift listener-rule weights during a blue/green release."""
        self.infrastructure_role = aws.iam.Role(
            f"{name}-ecs-lb-role", name=self.names["infra_role"],
            assume_role_policy=iam.ecs_infrastructure_trust_policy(),
            description=f"ECS shifts ALB traffic of {self.settings.service.name} during blue/green releases",
            opts=named_opts("role", self))
        return aws.iam.RolePolicyAttachment(
            f"{name}-ecs-lb-policy", role=self.infrastructure_role.name,
            policy_arn=ctx.partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{ECS_LB_POLICY}"),
            opts=self._opts())

    def _target_group(self, logical: str, physical: str, up: ServiceUpstream) -> aws.lb.TargetGroup:
        service, settings = self.settings.service, self.settings
        return aws.lb.TargetGroup(
            logical, name=physical, port=service.port, protocol="HTTP", target_type="ip", vpc_id=up.vpc_id,
            deregistration_delay=settings.deregistration_delay_seconds,
            health_check={"enabled": True, "path": service.health_path, "protocol": "HTTP", "port": "traffic-port",
                          "matcher": "200", "interval": 15, "timeout": 5, "healthy_threshold": 2,
                          "unhealthy_threshold": 3},
            opts=named_opts("tg", self))

    def _service(self, name: str, up: ServiceUpstream,
                 infrastructure: aws.iam.RolePolicyAttachment | None) -> aws.ecs.Service:
        settings, service = self.settings, self.settings.service
        load_balancers = None
        depends_on: list[pulumi.Resource] = []
        if self.target_group is not None:
            load_balancers = [{"target_group_arn": self.target_group.arn, "container_name": service.name,
                               "container_port": service.port}]
            # A target group must be attached to the load balancer before ECS registers tasks in it.
            depends_on.append(self.listener_rule)
        deployment: dict[str, Any] = {"strategy": settings.deployment_strategy}
        wait = SERVICE_TIMEOUT_MINUTES + (settings.bake_time_minutes if infrastructure is not None else 0)
        timeouts = pulumi.CustomTimeouts(create=f"{wait}m", update=f"{wait}m", delete="20m")
        percents: dict[str, Any] = {"deployment_minimum_healthy_percent": ROLLING_MIN_HEALTHY_PERCENT,
                                    "deployment_maximum_percent": ROLLING_MAX_PERCENT}
        if infrastructure is not None:
            # Blue/green: the whole green set starts beside blue, so the rolling percentages do not apply.
            percents = {}
            deployment["bake_time_in_minutes"] = str(settings.bake_time_minutes)  # the provider types it a string
            load_balancers[0]["advanced_configuration"] = {
                "alternate_target_group_arn": self.alternate_target_group.arn,
                "production_listener_rule": self.listener_rule.arn,
                "role_arn": self.infrastructure_role.arn,
                **({"test_listener_rule": self.test_listener_rule.arn} if self.test_listener_rule else {}),
            }
            # ECS validates the role when the service is created: its policy must be attached by then.
            depends_on.append(infrastructure)
        return aws.ecs.Service(
            f"{name}-service", name=self.names["service"], cluster=up.cluster_arn,
            task_definition=self.task_definition.arn, desired_count=settings.desired_count,
            # Never launch_type: the strategy decides on-demand versus Spot.
            capacity_provider_strategies=[{"capacity_provider": p, "base": b, "weight": w}
                                          for p, b, w in settings.capacity_strategy],
            network_configuration={"subnets": up.private_subnet_ids, "security_groups": [up.security_group_id],
                                   "assign_public_ip": False},
            service_registries={"registry_arn": self.discovery.arn},
            load_balancers=load_balancers,
            health_check_grace_period_seconds=settings.health_check_grace_seconds if load_balancers else None,
            deployment_configuration=deployment,
            **percents,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            # Business symptoms (5xx, unhealthy or missing tasks) roll a release back, not only failed starts.
            alarms={"alarm_names": self._deployment_alarm_names(), "enable": True, "rollback": True},
            wait_for_steady_state=True,
            enable_execute_command=settings.enable_execute_command,
            propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            # The provider refuses (or replaces the service on) a capacity strategy change unless the update
            # forces a new deployment; this only adds ForceNewDeployment to updates that happen anyway.
            force_new_deployment=True,
            # Autoscaling owns the count after creation: a deploy must not reset it to desiredCount.
            opts=named_opts("svc", self, ignore_changes=["desiredCount"], custom_timeouts=timeouts,
                            depends_on=depends_on))

    def _autoscaling(self, name: str, up: ServiceUpstream) -> aws.appautoscaling.Target:
        settings = self.settings
        market = settings.market_hours
        resource_id = pulumi.Output.concat("service/", up.cluster_name, "/", self.ecs_service.name)
        # With a market-hours schedule the scheduled actions own the bounds after creation (both set minimum
        # and maximum): an `up` during trading hours, with or without --refresh, never sends the off-hours
        # minimum, because the target is never updated. A bounds change reaches AWS at the next open or close.
        # (Ignoring only minCapacity would not do: a maxCapacity change updates the target, and without
        # --refresh the provider sends the minimum from the last state.) See README, "market hours".
        ignore = ["minCapacity", "maxCapacity"] if market else []
        target = aws.appautoscaling.Target(
            f"{name}-scaling-target", service_namespace="ecs", scalable_dimension=SCALABLE_DIMENSION,
            resource_id=resource_id, min_capacity=settings.min_capacity, max_capacity=settings.max_capacity,
            opts=self._opts(ignore_changes=ignore))
        cpu_policy = aws.appautoscaling.Policy(
            f"{name}-cpu-tracking", name=self.names["scaling_cpu"], policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace, scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration={
                "target_value": float(settings.cpu_target_percent),
                "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                "scale_out_cooldown": settings.scale_out_cooldown_seconds,
                "scale_in_cooldown": settings.scale_in_cooldown_seconds,
            },
            opts=named_opts("scaling", self))
        if market:
            opening = aws.appautoscaling.ScheduledAction(
                f"{name}-market-open", name=self.names["scaling_open"], service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension, resource_id=target.resource_id,
                schedule=market.open_schedule, timezone=market.timezone,
                scalable_target_action={"min_capacity": market.min_capacity, "max_capacity": settings.max_capacity},
                opts=named_opts("scaling", self, depends_on=[cpu_policy]))
            # Serialised after the policy and the opening action: Application Auto Scaling rejects concurrent
            # changes to one scalable target (ConcurrentUpdateException).
            aws.appautoscaling.ScheduledAction(
                f"{name}-market-close", name=self.names["scaling_close"], service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension, resource_id=target.resource_id,
                schedule=market.close_schedule, timezone=market.timezone,
                scalable_target_action={"min_capacity": settings.min_capacity, "max_capacity": settings.max_capacity},
                opts=named_opts("scaling", self, depends_on=[opening]))
        return target
