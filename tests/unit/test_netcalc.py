import ipaddress

import pytest

from shared.netcalc import SubnetPlan, plan_subnets


def test_subnets_are_disjoint_inside_the_vpc_and_sized_by_tier():
    plan = plan_subnets("10.10.0.0/16")
    assert plan.private == ("10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18")
    assert plan.public == ("10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20")
    nets = [ipaddress.IPv4Network(c) for c in plan.private + plan.public]
    vpc = ipaddress.IPv4Network("10.10.0.0/16")
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_smallest_vpc_still_gets_six_subnets_of_at_least_slash_28():
    plan = plan_subnets("10.0.0.0/24")
    assert plan.public[-1].endswith("/28") and plan.private[0].endswith("/26")


@pytest.mark.parametrize("cidr, private, public", [
    # Worked by hand: a /16's quarters are /18s (64 third-octet values each); the last quarter's /20s are 16 apart.
    ("10.20.0.0/16", ("10.20.0.0/18", "10.20.64.0/18", "10.20.128.0/18"),
     ("10.20.192.0/20", "10.20.208.0/20", "10.20.224.0/20")),
    # A /20 (10.1.16.0-10.1.31.255): /22 quarters of 4 third-octet values, /24 public blocks from 10.1.28.0.
    ("10.1.16.0/20", ("10.1.16.0/22", "10.1.20.0/22", "10.1.24.0/22"),
     ("10.1.28.0/24", "10.1.29.0/24", "10.1.30.0/24")),
    # The smallest: a /24's quarters are /26s of 64 addresses; the last one's /28s are 16 apart.
    ("192.168.7.0/24", ("192.168.7.0/26", "192.168.7.64/26", "192.168.7.128/26"),
     ("192.168.7.192/28", "192.168.7.208/28", "192.168.7.224/28")),
])
def test_layout_depends_only_on_the_vpc_cidr(cidr, private, public):
    assert plan_subnets(cidr) == SubnetPlan(private=private, public=public)


def test_fewer_zones_take_the_first_blocks_of_the_same_layout():
    assert plan_subnets("10.20.0.0/16", az_count=2) == SubnetPlan(
        private=("10.20.0.0/18", "10.20.64.0/18"), public=("10.20.192.0/20", "10.20.208.0/20"))


@pytest.mark.parametrize("cidr", ["10.0.0.0/25", "10.0.0.0/8", "10.0.0.0/15"])
def test_vpc_sizes_aws_or_the_layout_cannot_hold_are_refused(cidr):
    with pytest.raises(ValueError) as refused:
        plan_subnets(cidr)
    assert str(refused.value) == f"VPC CIDR {cidr} must be /16 to /24 to hold 6 subnets"
