"""cost: every line item from a small synthetic plan against dollars computed by hand; the real plans in range."""
from __future__ import annotations

import json
import re

import pytest

from shared.catalog import SERVICES
from tools import cost, prices
from tools.cost import CostError, Estimate, LineItem, estimate, spot_share
from tools.prices import Traffic

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/"
ON_DEMAND, SPOT = "FARGATE", "FARGATE_SPOT"


def res(typ: str, logical: str, **inputs) -> dict:
    return {"type": typ, "name": logical, "custom": True, "inputs": inputs}


def task(family: str, cpu: str, memory: str, arch: str = "X86_64") -> dict:
    return res("aws:ecs/taskDefinition:TaskDefinition", family, family=family, cpu=cpu, memory=memory,
               runtimePlatform={"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"})


def synthetic() -> dict:
    services = [
        task("td-a", "1024", "2048"), task("td-b", "256", "512"), task("td-c", "512", "1024"),
        res("aws:ecs/service:Service", "a", name="svc-a", taskDefinition=f"{ARN}td-a:1", serviceRegistries={"x": 1},
            capacityProviderStrategies=[{"capacityProvider": ON_DEMAND, "base": 1.0, "weight": 1.0},
                                        {"capacityProvider": SPOT, "base": 0.0, "weight": 3.0}]),
        res("aws:appautoscaling/target:Target", "a-target", serviceNamespace="ecs", resourceId="service/c/svc-a",
            minCapacity=2.0, maxCapacity=6.0),
        res("aws:ecs/service:Service", "b", name="svc-b", taskDefinition=f"{ARN}td-b:3", launchType="FARGATE",
            desiredCount=3.0),
        res("aws:ecs/service:Service", "c", name="svc-c", taskDefinition=f"{ARN}td-c:1"),
        res("aws:cloudwatch/metricAlarm:MetricAlarm", "m1"), res("aws:cloudwatch/logGroup:LogGroup", "l1"),
    ]
    platform = [
        res("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cap",
            defaultCapacityProviderStrategies=[{"capacityProvider": SPOT, "weight": 1.0}]),
        res("aws:lb/loadBalancer:LoadBalancer", "public", internal=False, loadBalancerType="application",
            subnets=["s1", "s2", "s3"]),
        res("aws:lb/loadBalancer:LoadBalancer", "private", internal=True, subnets=["s1", "s2"]),
        res("aws:lb/loadBalancer:LoadBalancer", "nlb", loadBalancerType="network", subnets=["s1"]),
        res("aws:wafv2/webAcl:WebAcl", "waf", rules=[{"name": "r1"}, {"name": "r2"}]),
        res("aws:kms/key:Key", "k1"), res("aws:kms/key:Key", "k2"),
        *(res("aws:secretsmanager/secret:Secret", f"s{i}") for i in range(3)),
        *(res("aws:cloudwatch/metricAlarm:MetricAlarm", f"a{i}") for i in range(4)),
        res("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace", "ns"),
        res("aws:cloudwatch/logGroup:LogGroup", "l2"),
    ]
    network = [
        res("aws:ec2/natGateway:NatGateway", "nat-0"), res("aws:ec2/natGateway:NatGateway", "nat-1"),
        res("aws:ec2/eip:Eip", "eip-0"),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", vpcEndpointType="Interface", subnetIds=["a", "b", "c"]),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "logs", vpcEndpointType="Interface", subnetIds=["a", "b"]),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway", routeTableIds=["r"]),
    ]
    return {"environment": "synthetic", "stacks": [
        {"project": "network", "stack": "synthetic", "resources": network},
        {"project": "platform", "stack": "synthetic", "resources": platform},
        {"project": "services", "stack": "x-synthetic", "resources": services}]}


@pytest.fixture(autouse=True)
def synthetic_traffic(monkeypatch):
    monkeypatch.setitem(prices.TRAFFIC, "synthetic", Traffic(nat_gb=10, endpoint_gb=20, alb_lcu=0.2,
                                                             waf_million_requests=1, log_gb_per_group=2))


# By hand, 730 h a month: 1 vCPU 0.04048 x 730 = 29.5504; 1 GB 0.004445 x 730 = 3.24485; Spot saves 70%.
# svc-a: 1 vCPU / 2 GB = 36.0401 a task, Spot 10.81203; base 1 on-demand, then 1:3.
#   min 2 tasks: 1.25 on-demand + 0.75 Spot = 45.050125 + 8.1090225; max 6: 2.25 + 3.75 = 81.090225 + 40.5451125
# svc-b: 0.25 vCPU / 0.5 GB = 9.010025 a task, launch type FARGATE, desiredCount 3, no target
# svc-c: 0.5 vCPU / 1 GB = 18.02005, the cluster default (all Spot): 5.406015, desiredCount unset = 1
EXPECTED = {
    "Fargate services/x-synthetic svc-a": (53.1591475, 121.6353375),
    "Fargate services/x-synthetic svc-b": (27.030075, 27.030075),
    "Fargate services/x-synthetic svc-c": (5.406015, 5.406015),
    "NAT gateways": (66.15, 66.15),  # 2 x 0.045 x 730 + 10 GB x 0.045
    "Interface endpoints": (36.70, 36.70),  # 5 AZ-ENIs x 0.01 x 730 + 20 GB x 0.01 (the gateway endpoint is free)
    "Application load balancers": (35.186, 35.186),  # 2 x 0.0225 x 730 + 2 x 0.2 LCU x 0.008 x 730 (not the NLB)
    "Public IPv4 addresses": (14.60, 14.60),  # (1 EIP + 3 public ALB addresses) x 0.005 x 730
    "WAF": (7.60, 7.60),  # 5 + 2 rules x 1 + 1M requests x 0.60
    "KMS keys": (2.00, 2.00),
    "Secrets Manager secrets": (1.20, 1.20),
    "CloudWatch alarms": (0.50, 0.50),
    "Cloud Map": (0.70, 1.10),  # hosted zone 0.50 + svc-a's 2..6 instances x 0.10
    "CloudWatch Logs": (2.00, 2.00),  # 2 groups x 2 GB x 0.50
}


def test_every_line_item_of_a_synthetic_plan_matches_the_hand_computed_dollars(monkeypatch):
    # the Fargate items are named by stack; three services share one stack here, so tell them apart by service
    monkeypatch.setattr(cost, "fargate_items", lambda services: [
        LineItem(f"Fargate {s.stack} {s.name}", "", s.monthly(s.minimum), s.monthly(s.maximum)) for s in services])
    result = estimate(synthetic())
    assert [i.item for i in result.items] == list(EXPECTED)
    for item in result.items:
        assert (item.minimum, item.maximum) == pytest.approx(EXPECTED[item.item], abs=1e-6), item.item
    assert result.minimum == pytest.approx(sum(low for low, _ in EXPECTED.values()))
    assert result.maximum == pytest.approx(sum(high for _, high in EXPECTED.values()))


def test_the_fargate_item_names_its_size_capacity_and_spot_share():
    [item] = [i for i in estimate(synthetic()).items if i.item == "Fargate services/x-synthetic"][:1]
    assert item.detail == "2..6 tasks x 1 vCPU / 2 GB, Spot 38%..62%"


@pytest.mark.parametrize(("tasks", "strategy", "spot"), [
    (2, [(ON_DEMAND, 2, 1), (SPOT, 0, 3)], 0),  # the base takes the minimum
    (10, [(ON_DEMAND, 2, 1), (SPOT, 0, 3)], 6),  # 8 past the base, 3 of 4 on Spot
    (4, [(SPOT, 0, 1)], 4),
    (4, [(ON_DEMAND, 0, 1)], 0),
    (3, [(SPOT, 5, 1), (ON_DEMAND, 0, 1)], 3),  # a base larger than the count
    (4, [(ON_DEMAND, 0, 0)], 0),  # no weight at all: only bases place tasks
])
def test_spot_share_places_bases_first_then_weights(tasks, strategy, spot):
    entries = [{"capacityProvider": p, "base": float(b), "weight": float(w)} for p, b, w in strategy]
    assert spot_share(tasks, entries) == pytest.approx(spot)


def test_a_plan_without_priced_resources_costs_nothing():
    assert estimate({"environment": "dev", "stacks": []}) == Estimate("dev", ())


def test_what_cannot_be_priced_is_refused():
    plan = synthetic()
    plan["stacks"][2]["resources"][0] = task("td-a", "1024", "2048", arch="ARM64")
    with pytest.raises(CostError, match="ARM64 tasks are not in the price table"):
        estimate(plan)
    plan["stacks"][2]["resources"].pop(0)
    with pytest.raises(CostError, match="x-synthetic a: its task definition is not in the plan"):
        estimate(plan)


def test_the_price_table_cites_a_pricing_page_and_a_date_for_every_price():
    for key, price in prices.PRICES.items():
        assert price.amount > 0 and price.unit, key
        assert re.fullmatch(r"https://aws\.amazon\.com/[a-z0-9-]+/pricing/", price.source), key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.taken), key
    assert "RECALLED" in prices.__doc__ and "not fetched" in prices.__doc__
    assert prices.traffic("staging") == prices.TRAFFIC[prices.DEFAULT_TRAFFIC]


def test_rendering_an_estimate_and_a_change():
    base = Estimate("dev", (LineItem("NAT gateways", "1 x 730 h", 32.85, 32.85), LineItem("WAF", "", 7.6, 7.6)))
    head = Estimate("dev", (LineItem("NAT gateways", "3 x 730 h", 98.55, 98.55),
                            LineItem("KMS keys", "1 x $1.00/month", 1.0, 1.0), LineItem("WAF", "", 7.6, 7.6)))
    text = cost.render([head])
    assert text.splitlines()[:2] == ["== monthly cost: dev", "item          at minimum  at maximum  detail"]
    assert "total            $107.15     $107.15  USD per month, us-east-1 list prices" in text
    assert "Not estimated:" in text and "not fetched" in text
    markdown = cost.render([head], markdown=True)
    assert "| item | at minimum | at maximum | detail |\n|---|---:|---:|---|" in markdown
    assert "| NAT gateways | $98.55 | $98.55 | 3 x 730 h |" in markdown
    change = cost.render_delta([(base, head)])
    assert "NAT gateways      $32.85      $98.55       +$65.70  +$65.70" in change
    assert "KMS keys           $0.00       $1.00        +$1.00  +$1.00" in change and "WAF" not in change
    assert "total             $40.45     $107.15       +$66.70  +$66.70" in change
    gone = cost.render_delta([(head, base)], markdown=True)
    assert "| KMS keys | $1.00 | $0.00 | -$1.00 | -$1.00 |" in gone and gone.startswith("### Cost change: dev")


def test_main_estimates_a_plan_file_this_checkout_or_the_change_from_a_base(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({**synthetic(), "environment": "synthetic"}))
    assert "== monthly cost: synthetic" in cost.main([], plan_file=path)
    head = synthetic()
    assert "$53.16" in cost.main(["synthetic"], plan_head=lambda envs: {"synthetic": head})  # svc-a at minimum
    smaller = synthetic()
    smaller["stacks"][0]["resources"] = smaller["stacks"][0]["resources"][1:]  # one NAT fewer
    change = cost.main(["synthetic", "new"], base="main", fmt="markdown",
                       plan_base=lambda ref, envs: {"synthetic": smaller},
                       plan_head=lambda envs: {"synthetic": head, "new": {"environment": "new", "stacks": []}})
    assert "| NAT gateways | $33.30 | $66.15 | +$32.85 | +$32.85 |" in change and "### Cost change: new" in change
    with pytest.raises(CostError, match="not both"):
        cost.main(["dev"], base="main", plan_file=path)
    with pytest.raises(CostError, match="unknown format 'csv'"):
        cost.main(["dev"], fmt="csv")


# dev is held to the issue's goal (at most $250 at minimum capacity, Spot-heavy); prod to a sane range.
@pytest.mark.parametrize(("environment", "low", "high"), [("dev", 150, 250), ("prod", 450, 800)])
def test_the_real_plans_cost_a_sane_amount(plan_document, environment, low, high):
    result = estimate(plan_document(environment))
    assert low < result.minimum < high and result.minimum < result.maximum < 4 * high
    items = {i.item for i in result.items}
    assert {"NAT gateways", "Interface endpoints", "Application load balancers", "Public IPv4 addresses",
            "KMS keys", "Secrets Manager secrets", "Cloud Map", "CloudWatch Logs"} <= items
    assert sum(i.item.startswith("Fargate services/") for i in result.items) == len(SERVICES)
    assert ("WAF" in items) == (environment == "prod")
