"""One trading service on ECS Fargate: task definition, IAM, log group, Cloud Map, routing, autoscaling.

Everything a service is comes from its catalog entry (`settings.service`) and what a team tunes comes from
its stack config (`settings`); upstream stacks are read only through `ServiceUpstream.read`, which narrows
each platform map to this service. An upstream that cannot serve this service (a map without its entry, a
platform of another name suffix) fails the deployment inside `.apply`, naming the stack, the output and the
fix; `invoke deploy` checks the upstream outputs before it starts. Another service's stack is never read, so
the service stacks deploy in parallel.

Each part is built by a method that returns it (`Discovery`, `Routing`, `Alarms`) and sets nothing: what a
later part needs is passed to it, so no method depends on another having run first. The scaling resources are
the last part and nothing reads them, so `_scaling` returns nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from shared import iam
from shared.alarms import AlarmSpec, service_alarms
from shared.catalog import PublicRoute
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
    kms_key_arn: pulumi.Output[str]   # known only once the platform's suffix is checked to be this stack's
    secret_arns: pulumi.Output[dict]  # catalog Secret value -> ARN, this service's secrets only
    store_names: pulumi.Output[dict]  # catalog Store value -> name/URL/ARN, this service's stores only
    store_arns: pulumi.Output[dict]   # catalog Store value -> ARN, this service's stores only
    alarm_topic_arn: pulumi.Output[str]
    alb_arn_suffix: pulumi.Output[str]

    @staticmethod
    def read(settings: ServiceSettings) -> ServiceUpstream:
        """StackReferences to network, registry and platform of the service's environment."""
        env = settings.common.environment
        network = Upstream(SERVICES_CONTRACT, "network", env)
        registry = Upstream(SERVICES_CONTRACT, "registry", env)
        platform = Upstream(SERVICES_CONTRACT, "platform", env)
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
            kms_key_arn=_platform_key(platform, settings.common.environment_suffix),
            secret_arns=_entries(platform, "secretArns", secrets),
            store_names=_entries(platform, "storeNames", stores),
            store_arns=_entries(platform, "storeArns", stores),
            alarm_topic_arn=platform.get("alarmTopicArn"),
            alb_arn_suffix=platform.get("albArnSuffix"),
        )


def _platform_key(platform: Upstream, suffix: str) -> pulumi.Output[str]:
    """The platform's KMS key ARN, once the platform's suffix is found to be this stack's: the key admits only
    log groups named log-*-<platform suffix>, so a service log group named with another suffix would fail at
    creation. Everything encrypted with the key (the log group first) waits for the check."""

    def checked(values: list[Any]) -> str:
        platform_suffix, key_arn = values
        if platform_suffix != suffix:
            raise UpstreamError(
                f"config services:environmentSuffix = {suffix!r} differs from the suffix {platform_suffix!r} of "
                f"stack {platform.name}; the platform's key only admits log groups named log-*-{platform_suffix}: "
                f"set services:environmentSuffix to {platform_suffix!r}")
        return key_arn

    return pulumi.Output.all(platform.get("environmentSuffix"), platform.get("kmsKeyArn")).apply(checked)


def _entries(upstream: Upstream, key: str, wanted: list[str]) -> pulumi.Output[dict]:
    """The map output `key` narrowed to `wanted`; a missing entry (the upstream was deployed from an older
    catalog) fails every resource that reads the map."""

    def narrowed(values: dict | None) -> dict:
        present = values or {}
        missing = [w for w in wanted if w not in present]
        if missing:
            raise UpstreamError(f"stack {upstream.name} output {key} has no entry for {', '.join(missing)}; the "
                                f"{upstream.producer} stack predates the catalog entry - redeploy "
                                f"{upstream.producer} (`invoke deploy --project {upstream.producer}`) before this "
                                f"service")
        return {w: present[w] for w in wanted}

    return upstream.get(key).apply(narrowed)


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


@dataclass(frozen=True)
class Roles:
    """The task's two roles and their inline policies. IAM is eventually consistent: a task launched the moment
    a role exists can be denied its image, logs or secrets, so the ECS service waits for the policies."""

    execution: aws.iam.Role
    task: aws.iam.Role
    policies: tuple[aws.iam.RolePolicy, ...]


@dataclass(frozen=True)
class Discovery:
    """The service's Cloud Map entry and the DNS name callers resolve."""

    service: aws.servicediscovery.Service
    dns_name: pulumi.Output[str]  # <service>.<namespace>


@dataclass(frozen=True)
class BlueGreen:
    """What a native blue/green release adds to the production target group and rule."""

    alternate_target_group: aws.lb.TargetGroup
    test_listener_rule: aws.lb.ListenerRule | None  # only with a test header
    infrastructure_role: aws.iam.Role               # ECS assumes it to shift the rules' weights
    role_policy: aws.iam.RolePolicyAttachment       # ECS validates the role at creation: attached by then


@dataclass(frozen=True)
class Routing:
    """How the ALB reaches a public service."""

    target_group: aws.lb.TargetGroup
    listener_rule: aws.lb.ListenerRule
    blue_green: BlueGreen | None  # None under rolling deployments

    @property
    def target_groups(self) -> list[aws.lb.TargetGroup]:
        """The production group, then the alternate one under blue/green."""
        return [self.target_group] + ([self.blue_green.alternate_target_group] if self.blue_green else [])

    def load_balancer(self, container_name: str, container_port: int) -> aws.ecs.ServiceLoadBalancerArgs:
        advanced = None
        if self.blue_green is not None:
            test_rule = self.blue_green.test_listener_rule
            advanced = aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                alternate_target_group_arn=self.blue_green.alternate_target_group.arn,
                production_listener_rule=self.listener_rule.arn, role_arn=self.blue_green.infrastructure_role.arn,
                test_listener_rule=test_rule.arn if test_rule else None)
        return aws.ecs.ServiceLoadBalancerArgs(target_group_arn=self.target_group.arn, container_name=container_name,
                                               container_port=container_port, advanced_configuration=advanced)

    @property
    def service_dependencies(self) -> list[pulumi.Resource]:
        """What the ECS service must wait for: a target group is attached to the load balancer (through the
        rule) before ECS registers tasks in it, and ECS validates the blue/green role when it creates the
        service."""
        return [self.listener_rule] + ([self.blue_green.role_policy] if self.blue_green else [])


@dataclass(frozen=True)
class Alarms:
    """The service's alarms by key; `deployment_alarm_names` are the ones ECS watches during a release."""

    by_key: dict[str, aws.cloudwatch.MetricAlarm]
    specs: list[AlarmSpec]

    @property
    def deployment_alarm_names(self) -> list[pulumi.Output[str]]:
        return [self.by_key[spec.key].name for spec in self.specs if spec.deployment]


def _metric_query(query: dict) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    """One of `shared.alarms`' plain metric queries as the provider's typed args."""
    metric = query.get("metric")
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(**{
        **query, "metric": None if metric is None else aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(**metric)})


class TradingService(pulumi.ComponentResource):
    log_group: aws.cloudwatch.LogGroup
    roles: Roles
    task_definition: aws.ecs.TaskDefinition
    discovery: Discovery
    routing: Routing | None  # None for an internal service
    alarms: Alarms
    ecs_service: aws.ecs.Service

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
        self.roles = self._roles(name, up, ctx, self.log_group)
        self.task_definition = self._task_definition(name, up, ctx, self.log_group, self.roles)
        self.discovery = self._discovery(name, up)
        self.routing = self._routing(name, service.public, up, ctx) if service.public is not None else None
        # Created before the service so the release-relevant ones can be its deployment alarms.
        self.alarms = self._alarms(name, up, self.routing)
        self.ecs_service = self._service(name, up, self.task_definition, self.roles, self.discovery, self.routing,
                                         self.alarms)
        self._scaling(name, up, self.ecs_service)

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
    def discovery_name(self) -> pulumi.Output[str]:
        return self.discovery.dns_name

    @property
    def target_group_arn(self) -> pulumi.Output[str]:
        """The production target group's ARN, or "" for an internal service."""
        return self.routing.target_group.arn if self.routing else pulumi.Output.from_input("")

    def _opts(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _roles(self, name: str, up: ServiceUpstream, ctx: AwsContext, log_group: aws.cloudwatch.LogGroup) -> Roles:
        settings, service = self.settings, self.settings.service
        trust = pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id).apply(
            lambda p: iam.ecs_tasks_trust_policy(p[0], p[1], p[2]))
        execution = aws.iam.Role(f"{name}-execution-role", name=self.names["exec_role"], assume_role_policy=trust,
                                 description=f"ECS agent starting {service.name}: pull, logs, secrets",
                                 opts=named_opts("role", self))
        policies = [aws.iam.RolePolicy(
            f"{name}-execution", role=execution.id,
            policy=pulumi.Output.all(ctx.region, up.repository_arn, log_group.arn, up.secret_arns,
                                     up.kms_key_arn).apply(
                lambda p: iam.execution_role_policy(region=p[0], repository_arn=p[1], log_group_arn=p[2],
                                                    secret_arns=list(p[3].values()), kms_key_arn=p[4])),
            opts=self._opts())]
        task = aws.iam.Role(f"{name}-task-role", name=self.names["task_role"], assume_role_policy=trust,
                            description=f"{service.name} application: its catalog data stores only",
                            opts=named_opts("role", self))
        if service.stores or settings.enable_execute_command:
            policies.append(aws.iam.RolePolicy(
                f"{name}-task", role=task.id,
                policy=pulumi.Output.all(ctx.region, up.store_arns, up.kms_key_arn).apply(
                    lambda p: iam.document(*iam.task_role_statements(
                        region=p[0], kms_key_arn=p[2], execute_command=settings.enable_execute_command,
                        grants=[(f"{a.store.name.title().replace('_', '')}Access", a.actions, p[1][a.store.value])
                                for a in service.stores]))),
                opts=self._opts()))
        return Roles(execution, task, tuple(policies))

    def _task_definition(self, name: str, up: ServiceUpstream, ctx: AwsContext, log_group: aws.cloudwatch.LogGroup,
                         roles: Roles) -> aws.ecs.TaskDefinition:
        settings, service = self.settings, self.settings.service
        image = pulumi.Output.concat(up.repository_url, ":", settings.image_tag)
        definitions = pulumi.Output.all(image, ctx.region, up.namespace_name, up.secret_arns, up.store_names).apply(
            lambda p: container_definitions_json(ContainerInputs(
                service=service, image=p[0], environment=settings.common.environment, region=p[1],
                log_level=settings.log_level, log_group=self.names["log"], namespace=p[2],
                callees=settings.callees, secret_arns=p[3], store_values=p[4], venue_url=settings.venue_url,
                readonly_root_filesystem=settings.readonly_root_filesystem)))
        return aws.ecs.TaskDefinition(
            f"{name}-task", family=self.names["family"], cpu=str(settings.cpu), memory=str(settings.memory),
            network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"),
            execution_role_arn=roles.execution.arn, task_role_arn=roles.task.arn,
            container_definitions=definitions,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=service.contract.tmp_volume)],
            opts=named_opts("td", self, depends_on=[log_group]))

    def _discovery(self, name: str, up: ServiceUpstream) -> Discovery:
        # The Cloud Map name is the bare service name: the namespace is already per environment, and callers
        # build `http://<service>.<namespace>:<port>` from the catalog alone.
        service_name = self.settings.service.name
        registry = aws.servicediscovery.Service(
            f"{name}-discovery", name=service_name,
            description=f"A records of {service_name} tasks",
            dns_config=aws.servicediscovery.ServiceDnsConfigArgs(
                namespace_id=up.namespace_id, routing_policy="MULTIVALUE",
                dns_records=[aws.servicediscovery.ServiceDnsConfigDnsRecordArgs(
                    type="A", ttl=CLOUD_MAP_TTL_SECONDS)]),
            # ECS reports task health to Cloud Map, so a failing task leaves DNS (no Route 53 health checks
            # can reach private IPs). The threshold is deprecated and AWS forces 1, but an empty block is
            # dropped by the provider (pulumi-aws#6289), leaving no custom health check and a perpetual diff.
            # The typed dict form: the Args class would log the deprecation at every run, in every stack.
            health_check_custom_config=aws.servicediscovery.ServiceHealthCheckCustomConfigArgsDict(
                failure_threshold=1),
            force_destroy=True,
            opts=named_opts("sd", self))
        return Discovery(registry, up.namespace_name.apply(lambda ns: f"{service_name}.{ns}"))

    def _routing(self, name: str, public: PublicRoute, up: ServiceUpstream, ctx: AwsContext) -> Routing:
        """Target group(s) and listener rule(s) of a public service, and under blue/green the role ECS uses to
        shift traffic between the groups."""
        settings, service, suffix = self.settings, self.settings.service, self.settings.common.environment_suffix
        production = self._target_group(f"{name}-tg", self.names["tg"], up)
        paths = aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[public.path_pattern]))
        tags = {"Name": f"rule-{service.name}-{suffix}"}
        if not settings.blue_green:
            rule = aws.lb.ListenerRule(
                f"{name}-rule", listener_arn=up.listener_arn, priority=public.priority, conditions=[paths],
                actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=production.arn)],
                tags=tags, opts=self._opts())
            return Routing(production, rule, None)
        alternate = self._target_group(f"{name}-tg-alternate", self.names["tga"], up)
        forward = _weighted_forward(production, alternate)
        # ECS rewrites the weights during every release (and leaves the last green group at 100), so the
        # rule ignores its actions: otherwise the next `up` would send all traffic back to a group that may
        # be empty. The same logical name as the rolling rule: switching modes updates the rule in place.
        rule = aws.lb.ListenerRule(
            f"{name}-rule", listener_arn=up.listener_arn, priority=public.priority, conditions=[paths],
            actions=[forward], tags=tags, opts=self._opts(ignore_changes=["actions"]))
        test_rule = None
        if settings.test_header:
            # Evaluated just before the production rule: requests carrying the header reach green tasks
            # during the release's test phase, before any production traffic shifts.
            header = aws.lb.ListenerRuleConditionArgs(http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                http_header_name=settings.test_header, values=[TEST_HEADER_VALUE]))
            test_rule = aws.lb.ListenerRule(
                f"{name}-test-rule", listener_arn=up.listener_arn, priority=public.priority - 1,
                conditions=[paths, header], actions=[forward],
                tags={"Name": f"rule-{service.name}-test-{suffix}"}, opts=self._opts(ignore_changes=["actions"]))
        role, policy = self._infrastructure_role(name, ctx)
        return Routing(production, rule, BlueGreen(alternate, test_rule, role, policy))

    def _target_group(self, logical: str, physical: str, up: ServiceUpstream) -> aws.lb.TargetGroup:
        service, settings = self.settings.service, self.settings
        return aws.lb.TargetGroup(
            logical, name=physical, port=service.port, protocol="HTTP", target_type="ip", vpc_id=up.vpc_id,
            deregistration_delay=settings.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=service.health_path, protocol="HTTP", port="traffic-port", matcher="200",
                interval=15, timeout=5, healthy_threshold=2, unhealthy_threshold=3),
            opts=named_opts("tg", self))

    def _infrastructure_role(self, name: str,
                             ctx: AwsContext) -> tuple[aws.iam.Role, aws.iam.RolePolicyAttachment]:
        """The role ECS assumes to shift listener-rule weights during a blue/green release."""
        role = aws.iam.Role(
            f"{name}-ecs-lb-role", name=self.names["infra_role"],
            assume_role_policy=iam.ecs_infrastructure_trust_policy(),
            description=f"ECS shifts ALB traffic of {self.settings.service.name} during blue/green releases",
            opts=named_opts("role", self))
        policy = aws.iam.RolePolicyAttachment(
            f"{name}-ecs-lb-policy", role=role.name,
            policy_arn=ctx.partition.apply(lambda p: f"arn:{p}:iam::aws:policy/{ECS_LB_POLICY}"),
            opts=self._opts())
        return role, policy

    def _alarms(self, name: str, up: ServiceUpstream, routing: Routing | None) -> Alarms:
        """The service's alarms, all notifying the platform's alarm topic."""
        settings, suffix = self.settings, self.settings.common.environment_suffix
        groups = routing.target_groups if routing else []
        # The specs hold upstream Outputs as dimension values; the engine resolves them inside the inputs.
        specs = service_alarms(
            cluster=up.cluster_name, service=self.names["service"], cpu_percent=settings.cpu_alarm_percent,
            load_balancer=up.alb_arn_suffix if routing else None, target_groups=[g.arn_suffix for g in groups])
        return Alarms({spec.key: aws.cloudwatch.MetricAlarm(
            f"{name}-alarm-{spec.key}", name=physical_name("alarm", suffix, f"{settings.service.name}-{spec.key}"),
            alarm_description=spec.description, metric_queries=[_metric_query(q) for q in spec.metric_queries],
            comparison_operator=spec.comparison_operator, threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods, datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[up.alarm_topic_arn], ok_actions=[up.alarm_topic_arn],
            opts=named_opts("alarm", self)) for spec in specs}, specs)

    def _service(self, name: str, up: ServiceUpstream, task_definition: aws.ecs.TaskDefinition, roles: Roles,
                 discovery: Discovery, routing: Routing | None, alarms: Alarms) -> aws.ecs.Service:
        settings, service = self.settings, self.settings.service
        blue_green = routing is not None and routing.blue_green is not None
        deployment = aws.ecs.ServiceDeploymentConfigurationArgs(
            strategy=settings.deployment_strategy,
            # The provider types the bake time a string.
            bake_time_in_minutes=str(settings.bake_time_minutes) if blue_green else None)
        wait = SERVICE_TIMEOUT_MINUTES + (settings.bake_time_minutes if blue_green else 0)
        timeouts = pulumi.CustomTimeouts(create=f"{wait}m", update=f"{wait}m", delete="20m")
        # Blue/green: the whole green set starts beside blue, so the rolling percentages do not apply.
        minimum, maximum = (None, None) if blue_green else (ROLLING_MIN_HEALTHY_PERCENT, ROLLING_MAX_PERCENT)
        return aws.ecs.Service(
            f"{name}-service", name=self.names["service"], cluster=up.cluster_arn,
            task_definition=task_definition.arn, desired_count=settings.desired_count,
            # Never launch_type: the strategy decides on-demand versus Spot.
            capacity_provider_strategies=[aws.ecs.ServiceCapacityProviderStrategyArgs(
                capacity_provider=p, base=b, weight=w) for p, b, w in settings.capacity_strategy],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=up.private_subnet_ids, security_groups=[up.security_group_id], assign_public_ip=False),
            service_registries=aws.ecs.ServiceServiceRegistriesArgs(registry_arn=discovery.service.arn),
            load_balancers=[routing.load_balancer(service.name, service.port)] if routing else None,
            health_check_grace_period_seconds=settings.health_check_grace_seconds if routing else None,
            deployment_configuration=deployment,
            deployment_minimum_healthy_percent=minimum, deployment_maximum_percent=maximum,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            # Business symptoms (5xx, unhealthy or missing tasks) roll a release back, not only failed starts.
            alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=alarms.deployment_alarm_names, enable=True, rollback=True),
            wait_for_steady_state=True,
            enable_execute_command=settings.enable_execute_command,
            propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            # The provider refuses (or replaces the service on) a capacity strategy change unless the update
            # forces a new deployment; this only adds ForceNewDeployment to updates that happen anyway.
            force_new_deployment=True,
            # Autoscaling owns the count after creation: a deploy must not reset it to desiredCount.
            opts=named_opts("svc", self, ignore_changes=["desiredCount"], custom_timeouts=timeouts,
                            depends_on=[*roles.policies, *(routing.service_dependencies if routing else [])]))

    def _scaling(self, name: str, up: ServiceUpstream, ecs_service: aws.ecs.Service) -> None:
        settings, scaling = self.settings, aws.appautoscaling
        predefined = scaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
        market = settings.market_hours
        resource_id = pulumi.Output.concat("service/", up.cluster_name, "/", ecs_service.name)
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
            target_tracking_scaling_policy_configuration=scaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(settings.cpu_target_percent),
                predefined_metric_specification=predefined(predefined_metric_type="ECSServiceAverageCPUUtilization"),
                scale_out_cooldown=settings.scale_out_cooldown_seconds,
                scale_in_cooldown=settings.scale_in_cooldown_seconds),
            opts=named_opts("scaling", self))
        if market is None:
            return
        opening = aws.appautoscaling.ScheduledAction(
            f"{name}-market-open", name=self.names["scaling_open"], service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension, resource_id=target.resource_id,
            schedule=market.open_schedule, timezone=market.timezone,
            scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                min_capacity=market.min_capacity, max_capacity=settings.max_capacity),
            opts=named_opts("scaling", self, depends_on=[cpu_policy]))
        # Serialised after the policy and the opening action: Application Auto Scaling rejects concurrent
        # changes to one scalable target (ConcurrentUpdateException).
        aws.appautoscaling.ScheduledAction(
            f"{name}-market-close", name=self.names["scaling_close"], service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension, resource_id=target.resource_id,
            schedule=market.close_schedule, timezone=market.timezone,
            scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                min_capacity=settings.min_capacity, max_capacity=settings.max_capacity),
            opts=named_opts("scaling", self, depends_on=[opening]))


def _weighted_forward(production: aws.lb.TargetGroup, alternate: aws.lb.TargetGroup) -> aws.lb.ListenerRuleActionArgs:
    """Forward to both groups of a blue/green pair with the weights ECS leaves outside a release."""
    weights = zip((production, alternate), BLUE_GREEN_WEIGHTS, strict=True)
    return aws.lb.ListenerRuleActionArgs(type="forward", forward=aws.lb.ListenerRuleActionForwardArgs(target_groups=[
        aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=group.arn, weight=weight) for group, weight in weights]))
