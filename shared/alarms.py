"""CloudWatch alarms of a service as plain data (no Pulumi import): what each watches and when it fires.

Source of metric names and dimensions:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html (AWS/ECS),
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Container-Insights-metrics-ECS.html (ECS/ContainerInsights,
on in every environment of the platform), https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
(AWS/ApplicationELB).

Target-group alarms are metric math over every target group of the service: under blue/green the green tasks
sit in the alternate group, and a release whose green tasks fail must trip the same alarm as one whose blue
tasks do. Under rolling there is one group and the sum is that group.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PERIOD_SECONDS = 60
TARGET_5XX_PER_MINUTE = 10  # a handful of 5xx is noise; ten a minute for two minutes is a broken release


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: `metric_queries` in the provider's snake_case shape, the last one returning the value."""

    key: str              # component of the alarm name, e.g. "cpu-high"
    description: str
    metric_queries: list[dict]
    comparison_operator: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    deployment: bool      # watched by ECS during a release (rollback on alarm)


# Dimension values are opaque here: plain strings in tests, Pulumi Outputs in a program (the engine resolves
# them inside the inputs), so this module needs no Pulumi import.
Value = Any


def _metric(query_id: str, namespace: str, name: str, stat: str, dimensions: dict[str, Value]) -> dict:
    return {"id": query_id, "return_data": False,
            "metric": {"namespace": namespace, "metric_name": name, "stat": stat, "period": PERIOD_SECONDS,
                       "dimensions": dimensions}}


def _expression(expression: str, label: str) -> dict:
    return {"id": "result", "expression": expression, "label": label, "return_data": True}


def sum_over_target_groups(metric: str, stat: str, load_balancer: Value, target_groups: list[Value]) -> list[dict]:
    """`metric` of every target group, summed (missing points count as 0: an idle group reports nothing)."""
    queries = [_metric(f"tg{i}", "AWS/ApplicationELB", metric, stat,
                       {"LoadBalancer": load_balancer, "TargetGroup": group})
               for i, group in enumerate(target_groups)]
    total = " + ".join(f"FILL(tg{i}, 0)" for i in range(len(target_groups)))
    return [*queries, _expression(total, f"{metric} over {len(target_groups)} target group(s)")]


def service_alarms(*, cluster: Value, service: str, cpu_percent: int, load_balancer: Value | None,
                   target_groups: list[Value]) -> list[AlarmSpec]:
    """The alarms of one ECS service; `load_balancer`/`target_groups` (ARN suffixes) only behind the ALB."""
    ecs = {"ClusterName": cluster, "ServiceName": service}
    alarms = [
        AlarmSpec(
            "cpu-high", f"{service}: average CPU above {cpu_percent}% for 3 minutes (scaling is not keeping up)",
            [_metric("cpu", "AWS/ECS", "CPUUtilization", "Average", ecs),
             _expression("cpu", "CPUUtilization")],
            "GreaterThanThreshold", float(cpu_percent), 3, 3, "missing",
            # Load, not the release: scaling answers it, and a rollback would not.
            deployment=False),
        AlarmSpec(
            "tasks-below-desired", f"{service}: fewer tasks running than desired for 3 minutes",
            [_metric("running", "ECS/ContainerInsights", "RunningTaskCount", "Average", ecs),
             _metric("desired", "ECS/ContainerInsights", "DesiredTaskCount", "Average", ecs),
             _expression("desired - running", "tasks missing")],
            # A service that has not reported yet (first creation) is not missing tasks.
            "GreaterThanThreshold", 0.0, 3, 3, "notBreaching", deployment=True),
    ]
    if load_balancer is not None:
        alarms += [
            AlarmSpec(
                "target-5xx", f"{service}: more than {TARGET_5XX_PER_MINUTE} 5xx a minute from its tasks",
                sum_over_target_groups("HTTPCode_Target_5XX_Count", "Sum", load_balancer, target_groups),
                "GreaterThanThreshold", float(TARGET_5XX_PER_MINUTE), 3, 2, "notBreaching", deployment=True),
            AlarmSpec(
                "unhealthy-hosts", f"{service}: a target failing ALB health checks for 3 minutes",
                sum_over_target_groups("UnHealthyHostCount", "Maximum", load_balancer, target_groups),
                "GreaterThanThreshold", 0.0, 3, 3, "notBreaching", deployment=True),
        ]
    return alarms
