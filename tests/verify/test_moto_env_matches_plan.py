"""The moto environment the verifier is proven against is the one the offline plan describes: same names, and
the same values for everything the verifier checks, read from what the real programs registered."""
from __future__ import annotations

import json

import pytest

from shared.catalog import SERVICES
from shared.stacks import service_stack_name
from tests.verify.moto_env import REGION, build_environment


def as_int(value):
    return int(value) if isinstance(value, float) else value


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_moto_environment_matches_the_offline_plan(mocked_aws, environment_plans, environment):
    plans = environment_plans(environment)
    env = build_environment(mocked_aws, environment)
    ecs = mocked_aws.client("ecs", region_name=REGION)
    scaling = mocked_aws.client("application-autoscaling", region_name=REGION)

    # every stack the plan holds, with the same output keys (the contracts)
    assert set(env.document["stacks"]) == set(plans)
    for key, stack in plans.items():
        assert set(env.document["stacks"][key]) == set(stack.outputs), key
    platform_plan, platform = plans[f"platform/{environment}"].outputs, env.stack(f"platform/{environment}")
    for key in ("clusterName", "namespaceName"):
        assert platform[key] == platform_plan[key]
    assert bool(platform["httpsListenerArn"]) == bool(platform_plan["httpsListenerArn"])  # HTTPS in prod only
    assert (platform["serviceListenerArn"] == platform["httpsListenerArn"]) is bool(platform_plan["httpsListenerArn"])
    network_plan = plans[f"network/{environment}"].outputs
    assert env.stack(f"network/{environment}")["availabilityZones"] == network_plan["availabilityZones"]
    assert env.stack(f"network/{environment}")["flowLogGroupName"] == network_plan["flowLogGroupName"]
    repositories = {r.inputs["name"]: r.inputs for r in plans[f"registry/{environment}"].of_type(
        "aws:ecr/repository:Repository")}
    assert sorted(repositories) == sorted(a.split("/", 1)[1] for a in env.stack(
        f"registry/{environment}")["repositoryArns"].values())
    assert {(r["imageTagMutability"], r["imageScanningConfiguration"]["scanOnPush"])
            for r in repositories.values()} == {("IMMUTABLE", True)}

    for service in SERVICES:
        stack = plans[f"services/{service_stack_name(service.name, environment)}"]
        outputs = env.service_outputs(service.name)
        state = env.ecs[service.name]
        planned = stack.one("aws:ecs/service:Service").inputs
        for key in ("serviceName", "logGroupName", "discoveryName", "deploymentStrategy"):
            assert outputs[key] == stack.outputs[key], (service.name, key)
        # the ECS service: what moto keeps, and what the Stubber adds in moto's place
        described = ecs.describe_services(cluster=platform["clusterArn"],
                                          services=[outputs["serviceArn"]])["services"][0]
        assert described["desiredCount"] == as_int(planned["desiredCount"])
        assert described["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == (
            "ENABLED" if planned["networkConfiguration"]["assignPublicIp"] else "DISABLED")
        assert [(c["capacityProvider"], as_int(c["base"]), as_int(c["weight"]))
                for c in planned["capacityProviderStrategies"]] == list(state.settings.capacity_strategy)
        assert planned["deploymentCircuitBreaker"] == state.circuit_breaker
        assert planned["deploymentConfiguration"]["strategy"] == state.settings.deployment_strategy
        assert state.running_count >= as_int(stack.one("aws:appautoscaling/target:Target").inputs["minCapacity"])
        # the task definition: size, and the same secret and variable names
        task = ecs.describe_task_definition(taskDefinition=outputs["taskDefinitionArn"])["taskDefinition"]
        planned_task = stack.one("aws:ecs/taskDefinition:TaskDefinition").inputs
        assert (task["family"], task["cpu"], task["memory"]) == (planned_task["family"], planned_task["cpu"],
                                                                 planned_task["memory"])
        planned_container = json.loads(planned_task["containerDefinitions"])[0]
        container = task["containerDefinitions"][0]
        assert [s["name"] for s in container["secrets"]] == [s["name"] for s in planned_container["secrets"]]
        assert [e["name"] for e in container["environment"]] == [e["name"] for e in planned_container["environment"]]
        # the log group, discovery and scaling
        assert as_int(stack.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"]) == 30
        assert stack.one("aws:servicediscovery/service:Service").inputs["name"] == service.name
        target = stack.one("aws:appautoscaling/target:Target").inputs
        actual = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[target["resourceId"]])
        assert [(t["MinCapacity"], t["MaxCapacity"]) for t in actual["ScalableTargets"]] == [
            (as_int(target["minCapacity"]), as_int(target["maxCapacity"]))]
        planned_actions = sorted((a.inputs["schedule"], a.inputs["timezone"],
                                  as_int(a.inputs["scalableTargetAction"]["minCapacity"]))
                                 for a in stack.of_type("aws:appautoscaling/scheduledAction:ScheduledAction"))
        actions = scaling.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=target["resourceId"])
        assert sorted((a["Schedule"], a["Timezone"], a["ScalableTargetAction"]["MinCapacity"])
                      for a in actions["ScheduledActions"]) == planned_actions
        # routing of public services: rule priority and path, target group health path, the blue/green pair
        groups = stack.of_type("aws:lb/targetGroup:TargetGroup")
        if service.public is None:
            assert groups == [] and outputs["targetGroupArn"] == ""
            continue
        rule = stack.one("aws:lb/listenerRule:ListenerRule").inputs
        assert (as_int(rule["priority"]), rule["conditions"][0]["pathPattern"]["values"]) == (
            service.public.priority, [service.public.path_pattern])
        assert {g.inputs["healthCheck"]["path"] for g in groups} == {service.health_path}
        assert len(groups) == (2 if state.settings.blue_green else 1)
        assert bool(described["loadBalancers"][0].get("advancedConfiguration")) is state.settings.blue_green
