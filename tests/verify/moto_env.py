"""A deployed environment built in moto the way the programs would build it, and its outputs document.

Names come from `shared.naming`, counts, sizes and strategies from the committed stack config (the same
settings loaders the programs use), container definitions from `shared.taskdef` (the JSON the services
program registers). moto 5.2.5 drops three things of an ECS service: `deploymentConfiguration` (circuit
breaker, strategy), `capacityProviderStrategy`, and it keeps `runningCount` at 0. `ecs_stubber` serves ECS
through botocore's `Stubber` instead: moto's own answers, with exactly those fields filled in from the stack
config, checked by the Stubber against the real ECS API model.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field

import boto3
from botocore.stub import Stubber

from shared.catalog import SERVICES, Secret, Store
from shared.components.platform import namespace_name as platform_namespace_name
from shared.contracts import CONTRACTS
from shared.naming import physical_name
from shared.netcalc import plan_subnets
from shared.settings.network import load_network_settings
from shared.settings.platform import load_platform_settings
from shared.settings.services import ServiceSettings, load_service_settings
from shared.stacks import StackId, service_stack_name
from shared.taskdef import ContainerInputs, container_definition
from tools.verify.expected import config_source

REGION = "us-east-1"
IMAGE_TAG = "1.0.0"


@dataclass
class ServiceState:
    """What moto could not keep for one ECS service: filled into DescribeServices by the Stubber."""

    settings: ServiceSettings
    running_count: int
    circuit_breaker: dict = field(default_factory=lambda: {"enable": True, "rollback": True})
    extra: dict = field(default_factory=dict)  # further fields to overwrite (e.g. loadBalancers)


@dataclass
class Environment:
    session: boto3.Session
    environment: str
    document: dict
    ecs: dict[str, ServiceState]  # service name -> state the Stubber adds

    def stack(self, key: str) -> dict:
        return self.document["stacks"][key]

    def service_outputs(self, name: str) -> dict:
        return self.stack(f"services/{service_stack_name(name, self.environment)}")


def _tags(environment: str) -> list[dict]:
    return [{"Key": "Environment", "Value": environment}]


def build_environment(session: boto3.Session, environment: str = "dev") -> Environment:
    network = load_network_settings(config_source(StackId("network", environment)))
    platform_settings = load_platform_settings(config_source(StackId("platform", environment)))
    suffix = network.common.environment_suffix
    settings = {s.name: load_service_settings(config_source(StackId("services", service_stack_name(s.name,
                                                                                                 environment))))
                for s in SERVICES}
    ec2 = session.client("ec2", region_name=REGION)
    kms = session.client("kms", region_name=REGION)

    # --- network ---
    vpc_id = ec2.create_vpc(CidrBlock=network.vpc_cidr)["Vpc"]["VpcId"]
    zones = network.availability_zones
    plan = plan_subnets(network.vpc_cidr, len(zones))
    private = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for cidr, zone in zip(plan.private, zones, strict=True)]
    public = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
              for cidr, zone in zip(plan.public, zones, strict=True)]
    logs = session.client("logs", region_name=REGION)
    flow_log_group = physical_name("log", suffix, "vpc-flow")
    logs.create_log_group(logGroupName=flow_log_group)
    logs.put_retention_policy(logGroupName=flow_log_group, retentionInDays=30)
    network_outputs = {
        "vpcId": vpc_id, "vpcCidr": network.vpc_cidr, "availabilityZones": list(network.availability_zones),
        "publicSubnetIds": public, "privateSubnetIds": private, "privateRouteTableIds": [],
        "natStrategy": network.nat_strategy.value, "natGatewayIds": [], "endpointSecurityGroupId": "",
        "interfaceEndpoints": list(network.interface_endpoints), "gatewayEndpoints": ["s3", "dynamodb"],
        "gatewayPrefixListIds": {"s3": "pl-63a5400a", "dynamodb": "pl-02cd2c6b"}, "flowLogGroupName": flow_log_group,
    }

    # --- registry ---
    registry_key = kms.create_key(Description="registry")["KeyMetadata"]["Arn"]
    ecr = session.client("ecr", region_name=REGION)
    repositories = {s.name: ecr.create_repository(
        repositoryName=physical_name("ecr", suffix, s.name), imageTagMutability="IMMUTABLE",
        imageScanningConfiguration={"scanOnPush": True},
        encryptionConfiguration={"encryptionType": "KMS", "kmsKey": registry_key})["repository"] for s in SERVICES}
    registry_outputs = {
        "repositoryUrls": {n: r["repositoryUri"] for n, r in repositories.items()},
        "repositoryArns": {n: r["repositoryArn"] for n, r in repositories.items()},
        "kmsKeyArn": registry_key,
    }

    # --- platform ---
    platform_key = kms.create_key(Description="platform")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=physical_name("alias", suffix, "kms-platform"), TargetKeyId=platform_key)
    secrets = session.client("secretsmanager", region_name=REGION)
    secret_arns = {s.value: secrets.create_secret(Name=physical_name("secret", suffix, s.value.lower()
                                                                        .replace("_", "-")),
                                                  KmsKeyId=platform_key, SecretString="placeholder")["ARN"]
                   for s in Secret}
    dynamodb = session.client("dynamodb", region_name=REGION)
    table = dynamodb.create_table(
        TableName=physical_name("ddb", suffix, "trades"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "tradeId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "tradeId", "KeyType": "HASH"}],
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": platform_key})["TableDescription"]
    sqs = session.client("sqs", region_name=REGION)
    # By alias, as a program may reference the key: the verifier resolves every reference to the key's ARN.
    queue_url = sqs.create_queue(QueueName=physical_name("sqs", suffix, "orders"), Attributes={
        "KmsMasterKeyId": physical_name("alias", suffix, "kms-platform")})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic_arn = session.client("sns", region_name=REGION).create_topic(
        Name=physical_name("sns", suffix, "events"), Attributes={"KmsMasterKeyId": platform_key})["TopicArn"]
    s3 = session.client("s3", region_name=REGION)
    bucket = physical_name("s3", suffix, "assets")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": platform_key}}]})
    store_arns = {Store.TRADES_TABLE.value: table["TableArn"], Store.ORDERS_QUEUE.value: queue_arn,
                  Store.EVENTS_TOPIC.value: topic_arn, Store.ASSETS_BUCKET.value: f"arn:aws:s3:::{bucket}"}
    store_names = {Store.TRADES_TABLE.value: table["TableName"], Store.ORDERS_QUEUE.value: queue_url,
                   Store.EVENTS_TOPIC.value: topic_arn, Store.ASSETS_BUCKET.value: bucket}

    groups = {name: ec2.create_security_group(GroupName=physical_name("secgroup", suffix, name), Description=name,
                                              VpcId=vpc_id)["GroupId"] for name in ["alb"] + [s.name for s in SERVICES]}
    elbv2 = session.client("elbv2", region_name=REGION)
    alb = elbv2.create_load_balancer(Name=physical_name("alb", suffix), Subnets=public, SecurityGroups=[groups["alb"]],
                                     Scheme="internet-facing", Type="application")["LoadBalancers"][0]
    not_found = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
    https_listener = None
    if platform_settings.https:
        # The stack file's certificate ARN is an example: moto issues one, as ACM would for the real domain.
        certificate = session.client("acm", region_name=REGION).request_certificate(
            DomainName="trading.example.com")["CertificateArn"]
        https_listener = elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                                               Certificates=[{"CertificateArn": certificate}],
                                               DefaultActions=[not_found])["Listeners"][0]
        http_default = {"Type": "redirect", "RedirectConfig": {"Port": "443", "Protocol": "HTTPS",
                                                               "StatusCode": "HTTP_301"}}
    else:
        http_default = not_found
    http_listener = elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                          DefaultActions=[http_default])["Listeners"][0]
    listener = https_listener or http_listener  # the one service rules attach to
    discovery = session.client("servicediscovery", region_name=REGION)
    namespace_name = platform_namespace_name(suffix)
    discovery.create_private_dns_namespace(Name=namespace_name, Vpc=vpc_id)
    namespace = next(n for n in discovery.list_namespaces()["Namespaces"] if n["Name"] == namespace_name)
    ecs = session.client("ecs", region_name=REGION)
    cluster = ecs.create_cluster(clusterName=physical_name("cluster", suffix))["cluster"]
    alarm_topic = session.client("sns", region_name=REGION).create_topic(Name=physical_name("sns", suffix,
                                                                                           "alarms"))["TopicArn"]
    platform_outputs = {
        "environmentSuffix": suffix, "clusterName": cluster["clusterName"], "clusterArn": cluster["clusterArn"],
        "albArn": alb["LoadBalancerArn"], "albDnsName": alb["DNSName"], "albZoneId": alb["CanonicalHostedZoneId"],
        "albArnSuffix": alb["LoadBalancerArn"].split(":loadbalancer/")[1],
        "httpListenerArn": http_listener["ListenerArn"],
        "httpsListenerArn": https_listener["ListenerArn"] if https_listener else "",
        "serviceListenerArn": listener["ListenerArn"],
        "namespaceId": namespace["Id"], "namespaceName": namespace_name, "namespaceArn": namespace["Arn"],
        "serviceSecurityGroupIds": {s.name: groups[s.name] for s in SERVICES}, "albSecurityGroupId": groups["alb"],
        "kmsKeyArn": platform_key, "secretArns": secret_arns, "storeNames": store_names, "storeArns": store_arns,
        # The WAF and access logs (prod) are not the verifier's: left empty, as when they are off.
        "alarmTopicArn": alarm_topic, "webAclArn": "", "accessLogBucket": "",
    }

    # --- services ---
    scaling = session.client("application-autoscaling", region_name=REGION)
    stacks = {f"network/{environment}": network_outputs, f"registry/{environment}": registry_outputs,
              f"platform/{environment}": platform_outputs}
    states = {}
    for service in SERVICES:
        own = settings[service.name]
        log_group = physical_name("log", suffix, service.name)
        logs.create_log_group(logGroupName=log_group, kmsKeyId=platform_key)
        logs.put_retention_policy(logGroupName=log_group, retentionInDays=30)
        definition = container_definition(ContainerInputs(
            service=service, image=f"{registry_outputs['repositoryUrls'][service.name]}:{own.image_tag}",
            environment=environment, region=REGION, log_level=own.log_level, log_group=log_group,
            namespace=namespace_name, callees=own.callees,
            secret_arns={s.value: secret_arns[s.value] for s in service.secrets},
            store_values={a.store.value: store_names[a.store.value] for a in service.stores},
            venue_url=own.venue_url, readonly_root_filesystem=own.readonly_root_filesystem))
        task = ecs.register_task_definition(
            family=physical_name("td", suffix, service.name), cpu=str(own.cpu), memory=str(own.memory),
            networkMode="awsvpc", requiresCompatibilities=["FARGATE"], containerDefinitions=[definition],
            volumes=[{"name": service.contract.tmp_volume}])["taskDefinition"]
        registry = discovery.create_service(
            Name=service.name, NamespaceId=namespace["Id"],
            DnsConfig={"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 10}]})["Service"]
        balancers, target_group_arn = [], ""
        if service.public is not None:
            group = elbv2.create_target_group(
                Name=physical_name("tg", suffix, service.name), Protocol="HTTP", Port=service.port, VpcId=vpc_id,
                TargetType="ip", HealthCheckPath=service.health_path)["TargetGroups"][0]
            target_group_arn = group["TargetGroupArn"]
            balancers = [{"targetGroupArn": target_group_arn, "containerName": service.name,
                          "containerPort": service.port}]
            forward = {"Type": "forward", "TargetGroupArn": target_group_arn}
            if own.blue_green:  # an alternate group, the rule weighting blue 100 / green 0 outside a release
                alternate = elbv2.create_target_group(
                    Name=physical_name("tga", suffix, service.name), Protocol="HTTP", Port=service.port,
                    VpcId=vpc_id, TargetType="ip", HealthCheckPath=service.health_path)["TargetGroups"][0]
                forward = {"Type": "forward", "ForwardConfig": {"TargetGroups": [
                    {"TargetGroupArn": target_group_arn, "Weight": 100},
                    {"TargetGroupArn": alternate["TargetGroupArn"], "Weight": 0}]}}
            rule = elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=service.public.priority,
                                     Conditions=[{"Field": "path-pattern", "PathPatternConfig": {
                                         "Values": [service.public.path_pattern]}}],
                                     Actions=[forward])["Rules"][0]
            if own.blue_green:
                balancers[0]["advancedConfiguration"] = {
                    "alternateTargetGroupArn": alternate["TargetGroupArn"], "productionListenerRule": rule["RuleArn"],
                    "roleArn": f"arn:aws:iam::123456789012:role/{physical_name('role', suffix, 'ecs-infra')}"}
        created = ecs.create_service(
            cluster=cluster["clusterArn"], serviceName=physical_name("svc", suffix, service.name),
            taskDefinition=task["taskDefinitionArn"], desiredCount=own.desired_count, loadBalancers=balancers,
            serviceRegistries=[{"registryArn": registry["Arn"]}],
            networkConfiguration={"awsvpcConfiguration": {"subnets": private, "securityGroups": [groups[service.name]],
                                                          "assignPublicIp": "DISABLED"}})["service"]
        resource_id = f"service/{cluster['clusterName']}/{created['serviceName']}"
        scaling.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource_id,
                                         ScalableDimension="ecs:service:DesiredCount", MinCapacity=own.min_capacity,
                                         MaxCapacity=own.max_capacity)
        scaling.put_scaling_policy(
            PolicyName=physical_name("scaling", suffix, f"{service.name}-cpu"), ServiceNamespace="ecs",
            ResourceId=resource_id, ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": float(own.cpu_target_percent),
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": own.scale_out_cooldown_seconds, "ScaleInCooldown": own.scale_in_cooldown_seconds})
        if own.market_hours:
            for which, schedule, minimum in (("open", own.market_hours.open_schedule, own.market_hours.min_capacity),
                                             ("close", own.market_hours.close_schedule, own.min_capacity)):
                scaling.put_scheduled_action(
                    ServiceNamespace="ecs", ScheduledActionName=physical_name("scaling", suffix,
                                                                              f"{service.name}-market-{which}"),
                    ResourceId=resource_id, ScalableDimension="ecs:service:DesiredCount", Schedule=schedule,
                    Timezone=own.market_hours.timezone,
                    ScalableTargetAction={"MinCapacity": minimum, "MaxCapacity": own.max_capacity})
        stacks[f"services/{service_stack_name(service.name, environment)}"] = {
            "serviceName": created["serviceName"], "serviceArn": created["serviceArn"],
            "taskDefinitionArn": task["taskDefinitionArn"], "logGroupName": log_group,
            "discoveryName": f"{service.name}.{namespace_name}", "targetGroupArn": target_group_arn,
            "deploymentStrategy": own.deployment_strategy,
        }
        states[service.name] = ServiceState(own, running_count=own.desired_count)
    for key, outputs in stacks.items():  # the document holds exactly what each contract exports
        assert set(outputs) == CONTRACTS[key.split("/")[0]].export_keys, key
    document = {"environment": environment, "stacks": stacks}
    return Environment(session, environment, json.loads(json.dumps(document)), states)


def ecs_stubber(env: Environment, client, *, services: bool = True, task_definitions: bool = True) -> Stubber:
    """A Stubber on `client` serving, in the verifier's order, DescribeServices for every service (moto's
    answer plus deploymentConfiguration, capacityProviderStrategy and runningCount) and then each service's
    DescribeTaskDefinition (moto's answer as is). The Stubber validates every response against the ECS model.
    A run of only some checks makes only some of these calls: leave out the others."""
    moto_ecs = env.session.client("ecs", region_name=REGION)
    platform = env.stack(f"platform/{env.environment}")
    arns = [env.service_outputs(s.name)["serviceArn"] for s in SERVICES]
    described = moto_ecs.describe_services(cluster=platform["clusterArn"], services=arns)
    described.pop("ResponseMetadata")
    for item in described["services"]:
        name = next(n for n in env.ecs if env.service_outputs(n)["serviceArn"] == item["serviceArn"])
        state = env.ecs[name]
        own = state.settings
        item["deploymentConfiguration"] = {
            "deploymentCircuitBreaker": copy.deepcopy(state.circuit_breaker),
            "maximumPercent": 200, "minimumHealthyPercent": 100, "strategy": own.deployment_strategy,
            **({"bakeTimeInMinutes": own.bake_time_minutes} if own.blue_green else {})}
        item["capacityProviderStrategy"] = [{"capacityProvider": p, "base": b, "weight": w}
                                            for p, b, w in own.capacity_strategy]
        item.pop("launchType", None)  # a service on capacity providers reports no launch type
        item["runningCount"] = state.running_count
        item["pendingCount"] = max(item["desiredCount"] - state.running_count, 0)
        item.update(copy.deepcopy(state.extra))
    stubber = Stubber(client)
    if services:
        stubber.add_response("describe_services", described,
                             {"cluster": platform["clusterArn"], "services": arns})
    for service in SERVICES if task_definitions else ():
        arn = env.service_outputs(service.name)["taskDefinitionArn"]
        answer = moto_ecs.describe_task_definition(taskDefinition=arn)
        answer.pop("ResponseMetadata")
        stubber.add_response("describe_task_definition", answer, {"taskDefinition": arn})
    return stubber
