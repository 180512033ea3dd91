"""Subnet CIDRs computed from the VPC CIDR alone, so they stay stable when other config changes.

Layout of a VPC /N (N from 16 to 24): private subnets take the first three quarters (/N+2 each, where
tasks live and IPs run out first); public subnets take /N+4 blocks from the last quarter (only the ALB and
NAT gateways live there). A subnet's block depends only on its tier and its AZ's position in the list.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

AZ_COUNT = 3
MIN_VPC_PREFIX = 16  # AWS: a VPC CIDR is /16 to /28
MAX_VPC_PREFIX = 24  # public subnets are /N+4 and AWS's smallest subnet is /28


@dataclass(frozen=True)
class SubnetPlan:
    private: tuple[str, ...]
    public: tuple[str, ...]


def plan_subnets(vpc_cidr: str, az_count: int = AZ_COUNT) -> SubnetPlan:
    vpc = ipaddress.IPv4Network(vpc_cidr)
    if not MIN_VPC_PREFIX <= vpc.prefixlen <= MAX_VPC_PREFIX:
        raise ValueError(f"VPC CIDR {vpc_cidr} must be /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX} to hold "
                         f"{2 * az_count} subnets")
    quarters = list(vpc.subnets(new_prefix=vpc.prefixlen + 2))
    public_blocks = list(quarters[3].subnets(new_prefix=vpc.prefixlen + 4))
    return SubnetPlan(
        private=tuple(str(block) for block in quarters[:az_count]),
        public=tuple(str(block) for block in public_blocks[:az_count]),
    )
