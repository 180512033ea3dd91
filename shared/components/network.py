"""The network every other project runs in: a VPC over three AZs with private subnets for tasks.

Design choices (see docs/DESIGN.md): the internet gateway and public subnets exist under every NAT
strategy because the ALB needs them; each AZ gets its own private route table under every strategy so that
switching strategy only changes routes, never subnet associations; gateway endpoints (free) are always on;
every endpoint carries a policy limiting it to this account.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared import iam, resource_policies
from shared.components import component_type
from shared.components.context import AwsContext, customer_managed_key, named_opts
from shared.naming import physical_name
from shared.netcalc import plan_subnets
from shared.settings.network import GATEWAY_ENDPOINTS, NatStrategy, NetworkSettings

LOG_RETENTION_DAYS = 30


def _gateway_policy(ctx: AwsContext, make: Callable[[str, str, str], str]) -> pulumi.Output[str]:
    """A gateway endpoint's policy from (partition, region, account)."""
    return pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id).apply(lambda p: make(p[0], p[1], p[2]))


@dataclass(frozen=True)
class NetworkArgs:
    """Inputs of the network. `settings` is already validated (shared.settings.network)."""

    settings: NetworkSettings
    context: AwsContext


class Network(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    public_subnets: list[aws.ec2.Subnet]
    private_subnets: list[aws.ec2.Subnet]
    private_route_tables: list[aws.ec2.RouteTable]
    nat_gateways: list[aws.ec2.NatGateway]
    endpoint_security_group: aws.ec2.SecurityGroup
    flow_log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        settings = args.settings
        suffix = settings.common.environment_suffix
        # Every physical name is computed before the component registers anything.
        names = {
            "vpc": physical_name("vpc", suffix),
            "endpoint_sg": physical_name("secgroup", suffix, "endpoints"),
            "flow_log_group": physical_name("log", suffix, "vpc-flow"),
            "flow_role": physical_name("role", suffix, "vpc-flow-logs"),
            "key_alias": physical_name("alias", suffix, "kms-network"),
        }
        super().__init__(component_type("network", "Network"), name, None, opts)
        ctx = args.context
        self.subnet_plan = plan_subnets(settings.vpc_cidr)
        zones = settings.availability_zones

        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=settings.vpc_cidr, enable_dns_support=True,
                               enable_dns_hostnames=True, tags={"Name": names["vpc"]},
                               opts=pulumi.ResourceOptions(parent=self))
        # Adopting the default security group with no rules strips AWS's allow-all rules from it (FSBP EC2.2):
        # nothing may fall back to it. On destroy it only leaves the state; AWS deletes it with the VPC.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=self.vpc.id,
                                     tags={"Name": physical_name("secgroup", suffix, "default")},
                                     opts=pulumi.ResourceOptions(parent=self))
        # Free and needed by the ALB under every strategy, so not conditional.
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags={"Name": f"igw-{suffix}"},
                                      opts=pulumi.ResourceOptions(parent=self))

        self.public_subnets = [self._subnet(name, "public", i, zone, self.subnet_plan.public[i], suffix)
                               for i, zone in enumerate(zones)]
        self.private_subnets = [self._subnet(name, "private", i, zone, self.subnet_plan.private[i], suffix)
                                for i, zone in enumerate(zones)]

        public_rt = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=self.vpc.id,
                                       tags={"Name": f"rtb-public-{suffix}"}, opts=pulumi.ResourceOptions(parent=self))
        aws.ec2.Route(f"{name}-public-default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0",
                      gateway_id=igw.id, opts=pulumi.ResourceOptions(parent=self))
        for i, subnet in enumerate(self.public_subnets):
            aws.ec2.RouteTableAssociation(f"{name}-public-rta-{i}", route_table_id=public_rt.id,
                                          subnet_id=subnet.id, opts=pulumi.ResourceOptions(parent=self))

        self.nat_gateways = self._nat_gateways(name, settings.nat_strategy, suffix, zones, igw)
        self.private_route_tables = []
        for i, (zone, subnet) in enumerate(zip(zones, self.private_subnets, strict=True)):
            table = aws.ec2.RouteTable(f"{name}-private-rt-{i}", vpc_id=self.vpc.id,
                                       tags={"Name": f"rtb-private-{zone}-{suffix}"},
                                       opts=pulumi.ResourceOptions(parent=self))
            aws.ec2.RouteTableAssociation(f"{name}-private-rta-{i}", route_table_id=table.id, subnet_id=subnet.id,
                                          opts=pulumi.ResourceOptions(parent=self))
            if self.nat_gateways:
                # one_per_az: the NAT of this AZ, so an AZ failure never cuts another AZ's egress.
                nat = self.nat_gateways[i] if len(self.nat_gateways) == len(zones) else self.nat_gateways[0]
                aws.ec2.Route(f"{name}-private-default-{i}", route_table_id=table.id,
                              destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id,
                              opts=pulumi.ResourceOptions(parent=self))
            self.private_route_tables.append(table)

        # Every endpoint has a policy (an endpoint without one reaches any resource of any account, a path out
        # of the private subnets): gateways reach only this account's buckets (plus ECR's layer bucket) and
        # tables, interface endpoints serve only this account's principals (shared.resource_policies).
        self.gateway_endpoints = list(GATEWAY_ENDPOINTS)
        self.gateway_prefix_list_ids: dict[str, pulumi.Output[str]] = {}
        for service in GATEWAY_ENDPOINTS:
            policy = resource_policies.GATEWAY_ENDPOINT_POLICIES[service]
            endpoint = aws.ec2.VpcEndpoint(
                f"{name}-gw-{service}", vpc_id=self.vpc.id, vpc_endpoint_type="Gateway",
                service_name=pulumi.Output.concat("com.amazonaws.", ctx.region, f".{service}"),
                route_table_ids=[t.id for t in self.private_route_tables],
                policy=_gateway_policy(ctx, policy),
                tags={"Name": f"vpce-{service}-{suffix}"}, opts=pulumi.ResourceOptions(parent=self))
            # The prefix list of the service's public ranges: what a task group's 443 egress to the gateway names.
            self.gateway_prefix_list_ids[service] = endpoint.prefix_list_id

        # No ingress rule here: the platform stack admits 443 from each group that needs the endpoints (the task
        # groups and the rotation function's), where those groups are (shared.netpolicy.egress_rules). Nothing
        # else in the VPC, public subnets included, reaches the endpoints.
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg", name_prefix=f"{names['endpoint_sg']}-", vpc_id=self.vpc.id,
            description="Interface VPC endpoints: HTTPS from the task and function groups only",
            tags={"Name": names["endpoint_sg"]}, opts=pulumi.ResourceOptions(parent=self))
        self.interface_endpoints = list(settings.interface_endpoints)
        interface_policy = ctx.account_id.apply(resource_policies.interface_endpoint_policy)
        for service in settings.interface_endpoints:
            aws.ec2.VpcEndpoint(f"{name}-if-{service.replace('.', '-')}", vpc_id=self.vpc.id,
                                vpc_endpoint_type="Interface", private_dns_enabled=True,
                                service_name=pulumi.Output.concat("com.amazonaws.", ctx.region, f".{service}"),
                                subnet_ids=[s.id for s in self.private_subnets],
                                security_group_ids=[self.endpoint_security_group.id], policy=interface_policy,
                                tags={"Name": f"vpce-{service.replace('.', '-')}-{suffix}"},
                                opts=pulumi.ResourceOptions(parent=self))

        self.flow_log_group = self._flow_logs(name, names, ctx)

        self.register_outputs({
            "vpcId": self.vpc.id,
            "privateSubnetIds": [s.id for s in self.private_subnets],
            "publicSubnetIds": [s.id for s in self.public_subnets],
            "flowLogGroupName": self.flow_log_group.name,
        })

    def _subnet(self, name: str, tier: str, index: int, zone: str, cidr: str, suffix: str) -> aws.ec2.Subnet:
        # Neither tier maps public IPs: the ALB and NAT gateways get theirs explicitly (FSBP EC2.15).
        return aws.ec2.Subnet(f"{name}-{tier}-{index}", vpc_id=self.vpc.id, cidr_block=cidr, availability_zone=zone,
                              map_public_ip_on_launch=False,
                              tags={"Name": f"subnet-{tier}-{zone}-{suffix}", "Tier": tier},
                              opts=pulumi.ResourceOptions(parent=self))

    def _nat_gateways(self, name: str, strategy: NatStrategy, suffix: str, zones: tuple[str, ...],
                      igw: aws.ec2.InternetGateway) -> list[aws.ec2.NatGateway]:
        count = {NatStrategy.NONE: 0, NatStrategy.SINGLE: 1, NatStrategy.ONE_PER_AZ: len(zones)}[strategy]
        gateways = []
        for i in range(count):
            eip = aws.ec2.Eip(f"{name}-nat-eip-{i}", domain="vpc", tags={"Name": f"eip-nat-{zones[i]}-{suffix}"},
                              opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]))
            gateways.append(aws.ec2.NatGateway(
                f"{name}-nat-{i}", subnet_id=self.public_subnets[i].id, allocation_id=eip.id,
                connectivity_type="public", tags={"Name": f"nat-{zones[i]}-{suffix}"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw])))
        return gateways

    def _flow_logs(self, name: str, names: dict[str, str], ctx: AwsContext) -> aws.cloudwatch.LogGroup:
        group_name = names["flow_log_group"]
        group_arn = ctx.arn("logs", f"log-group:{group_name}")
        key_policy = pulumi.Output.all(ctx.partition, ctx.region, ctx.account_id, group_arn).apply(
            lambda p: iam.document(iam.account_root_statement(p[0], p[2]),
                                   iam.logs_key_statement(p[1], p[2], [p[3]])))
        key = customer_managed_key(f"{name}-flow-logs", self, description=f"VPC flow logs of {names['vpc']}",
                                   alias=names["key_alias"], policy=key_policy)
        # The group references the key, so it is created after the key policy admits CloudWatch Logs.
        group = aws.cloudwatch.LogGroup(f"{name}-flow-logs", name=group_name, retention_in_days=LOG_RETENTION_DAYS,
                                        kms_key_id=key.arn, opts=named_opts("log", self))
        role = aws.iam.Role(
            f"{name}-flow-logs-role", name=names["flow_role"],
            assume_role_policy=pulumi.Output.all(ctx.account_id, ctx.arn("ec2", "vpc-flow-log/*")).apply(
                lambda p: iam.service_trust_policy("vpc-flow-logs.amazonaws.com", p[0], p[1])),
            opts=named_opts("role", self))
        write = aws.iam.RolePolicy(
            f"{name}-flow-logs-write", role=role.id,
            policy=group_arn.apply(lambda arn: iam.document(
                iam.statement("WriteFlowLogsToItsGroup",
                              ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                              [f"{arn}:*"]),
                # DescribeLogGroups is authorised only against "*" (AWS does not scope it to a group).
                iam.statement("FindItsGroup", ["logs:DescribeLogGroups"], "*"))),
            opts=pulumi.ResourceOptions(parent=self))
        aws.ec2.FlowLog(f"{name}-flow-log", vpc_id=self.vpc.id, traffic_type="ALL",
                        log_destination_type="cloud-watch-logs", log_destination=group.arn, iam_role_arn=role.arn,
                        max_aggregation_interval=60,
                        tags={"Name": f"flow-log-vpc-{names['vpc']}"},
                        # EC2 checks the role when the flow log is created: its policy must exist (IAM propagation).
                        opts=pulumi.ResourceOptions(parent=self, depends_on=[write]))
        return group
