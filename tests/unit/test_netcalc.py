import ipaddress

import pytest

from shared.netcalc import plan_subnets


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


def test_layout_depends_only_on_the_vpc_cidr():
    assert plan_subnets("10.20.0.0/16") == plan_subnets("10.20.0.0/16")
    assert plan_subnets("10.20.0.0/16").private[0] == "10.20.0.0/18"


@pytest.mark.parametrize("cidr", ["10.0.0.0/25", "10.0.0.0/8"])
def test_vpc_sizes_aws_or_the_layout_cannot_hold_are_refused(cidr):
    with pytest.raises(ValueError, match="must be /16 to /24"):
        plan_subnets(cidr)
