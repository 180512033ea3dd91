"""Settings of the network project."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from shared.netcalc import AZ_COUNT, MAX_VPC_PREFIX, MIN_VPC_PREFIX
from shared.settings import REGION, CommonSettings, ConfigReader, ConfigSource, read_common


class NatStrategy(Enum):
    SINGLE = "single"          # one NAT for the VPC: cheap, one AZ's outage cuts egress for all
    ONE_PER_AZ = "one_per_az"  # one NAT per AZ: each private subnet keeps egress if another AZ fails
    NONE = "none"              # no NAT: VPC endpoints carry every AWS call; no external calls possible


# Interface endpoints the platform knows how to use; each costs per AZ-hour, hence configurable.
INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "sns", "monitoring")
GATEWAY_ENDPOINTS = ("s3", "dynamodb")  # free, always on


@dataclass(frozen=True)
class NetworkSettings:
    common: CommonSettings
    vpc_cidr: str
    availability_zones: tuple[str, ...]
    nat_strategy: NatStrategy
    interface_endpoints: tuple[str, ...]


def load_network_settings(source: ConfigSource) -> NetworkSettings:
    reader = ConfigReader(source)
    common = read_common(reader, environment=source.stack)
    vpc_cidr = reader.ipv4_network("vpcCidr", min_prefix=MIN_VPC_PREFIX, max_prefix=MAX_VPC_PREFIX,
                                   purpose=f"AWS allows /16 to /28 for a VPC and the {2 * AZ_COUNT} subnets "
                                           f"need at least a /{MAX_VPC_PREFIX}")
    zones = reader.string_list("availabilityZones")
    reader.check(len(zones) == AZ_COUNT and len(set(zones)) == AZ_COUNT, "availabilityZones", list(zones),
                 f"must name exactly {AZ_COUNT} distinct AZs",
                 f"list three AZs of {REGION}, e.g. {REGION}a, {REGION}b, {REGION}c")
    outside = [zone for zone in zones if not (zone.startswith(REGION) and len(zone) == len(REGION) + 1)]
    reader.check(not outside, "availabilityZones", outside, f"names AZs outside {REGION}",
                 f"use AZ names of {REGION} such as {REGION}a")
    nat = reader.enum("natStrategy", NatStrategy)
    endpoints = reader.string_list("interfaceEndpoints")
    unknown = [e for e in endpoints if e not in INTERFACE_ENDPOINTS]
    reader.check(not unknown, "interfaceEndpoints", unknown, "names unknown endpoints",
                 f"choose from {', '.join(INTERFACE_ENDPOINTS)}")
    reader.check(len(set(endpoints)) == len(endpoints), "interfaceEndpoints", list(endpoints),
                 "repeats an endpoint", "list each endpoint once")
    return reader.finish(NetworkSettings(
        common=common,
        vpc_cidr=vpc_cidr,
        availability_zones=zones,
        nat_strategy=nat,
        interface_endpoints=endpoints,
    ))
