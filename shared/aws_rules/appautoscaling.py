"""Argument rules of the appautoscaling resources this repository creates (see shared/aws_rules/model.py).

Scalable target (capacities, the ECS resource id and dimension), target-tracking policy, and scheduled action
(name, the `at()`, `rate()` and six-field `cron()` schedule forms, time zone, capacities).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from shared.aws_rules.model import (
    AtLeastOneOf,
    Check,
    ConflictsWith,
    Length,
    OneOf,
    Pattern,
    Range,
    ResourceRules,
    Rule,
)

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/appautoscaling/"
TARGET_SOURCE = _TF + "target.go"
POLICY_SOURCE = _TF + "policy.go"
SCHEDULED_SOURCE = _TF + "scheduled_action.go"
_API = "https://docs.aws.amazon.com/autoscaling/application/APIReference/"
API_REGISTER_TARGET = _API + "API_RegisterScalableTarget.html"
API_PUT_POLICY = _API + "API_PutScalingPolicy.html"
API_PUT_SCHEDULED = _API + "API_PutScheduledAction.html"
API_PREDEFINED_METRIC = _API + "API_PredefinedMetricSpecification.html"
SCHEDULE_DOC = "https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html"

_NAMESPACES = ("ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker", "custom-resource",
               "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces")


def _min_max(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    low, high = value.get("minCapacity"), value.get("maxCapacity")
    if low is not None and high is not None and low > high:
        return f"minCapacity {int(low)} is above maxCapacity {int(high)}"
    return None


def _ecs_target(value: Any) -> str | None:
    if not isinstance(value, dict) or value.get("serviceNamespace") != "ecs":
        return None
    if value.get("scalableDimension") not in (None, "ecs:service:DesiredCount"):
        return f"the ECS dimension is ecs:service:DesiredCount, not {value.get('scalableDimension')!r}"
    resource_id = value.get("resourceId")
    if resource_id is not None and re.fullmatch(r"service/[A-Za-z0-9_-]{1,255}/[A-Za-z0-9_-]{1,255}",
                                                str(resource_id)) is None:
        return f"an ECS resourceId is service/<cluster>/<service>, not {resource_id!r}"
    return None


_ECS_OK = {"serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount",
           "resourceId": "service/cluster-dev/svc-frontend-dev"}

_NAMESPACE_RULE = Rule(
    id="appautoscaling.target.service-namespace.enum", argument="serviceNamespace", constraint=OneOf(_NAMESPACES),
    message="expected service_namespace to be one of the ServiceNamespace values", source=TARGET_SOURCE,
    fix="use ecs for ECS services", ok=("ecs", "dynamodb"), bad=("ECS", "fargate"))


def _ecs_target_rule(rid: str) -> Rule:
    return Rule(id=rid, argument="", constraint=Check(_ecs_target, "ECS: ecs:service:DesiredCount and "
                                                                   "service/<cluster>/<service>"),
                message="ResourceId: ECS service - The resource type is service and the unique identifier is the "
                        "cluster name and service name. Example: service/my-cluster/my-service.",
                source=API_REGISTER_TARGET, fix="scale ECS services on service/<cluster>/<service>",
                ok=(_ECS_OK, {"serviceNamespace": "dynamodb", "resourceId": "table/t"}),
                bad=({**_ECS_OK, "resourceId": "cluster-dev/svc-frontend-dev"},
                     {**_ECS_OK, "scalableDimension": "ecs:service:Count"}))


TARGET = ResourceRules(
    type="aws:appautoscaling/target:Target",
    source=TARGET_SOURCE,
    forces_replacement=frozenset({"resourceId", "scalableDimension", "serviceNamespace"}),
    rules=(
        Rule(id="appautoscaling.target.min-capacity.range", argument="minCapacity", constraint=Range(0, None),
             message="expected min_capacity to be at least (0)", source=TARGET_SOURCE,
             fix="use a minimum of 0 or more tasks", ok=(0.0, 2.0), bad=(-1.0,)),
        Rule(id="appautoscaling.target.max-capacity.range", argument="maxCapacity", constraint=Range(0, None),
             message="expected max_capacity to be at least (0)", source=TARGET_SOURCE,
             fix="use a maximum of 0 or more tasks", ok=(0.0, 10.0), bad=(-1.0,)),
        Rule(id="appautoscaling.target.capacity.order", argument="", constraint=Check(_min_max, "min <= max"),
             message="Minimum capacity cannot be greater than maximum capacity", source=API_REGISTER_TARGET,
             fix="keep minCapacity at or below maxCapacity (services config)",
             ok=({"minCapacity": 2.0, "maxCapacity": 10.0}, {"minCapacity": 2.0, "maxCapacity": 2.0}),
             bad=({"minCapacity": 11.0, "maxCapacity": 10.0},)),
        Rule(id="appautoscaling.target.resource-id.length", argument="resourceId", constraint=Length(1, 1600),
             message="ResourceId: Length Constraints: Minimum length of 1. Maximum length of 1600.",
             source=API_REGISTER_TARGET, fix="check the resource id", ok=("s", "s" * 1600), bad=("", "s" * 1601)),
        _NAMESPACE_RULE,
        _ecs_target_rule("appautoscaling.target.ecs.resource"),
    ),
)

# --- policy -----------------------------------------------------------------------------------------------

_PREDEFINED = ("DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization",
               "ALBRequestCountPerTarget", "RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections",
               "EC2SpotFleetRequestAverageCPUUtilization", "EC2SpotFleetRequestAverageNetworkIn",
               "EC2SpotFleetRequestAverageNetworkOut", "SageMakerVariantInvocationsPerInstance",
               "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization",
               "AppStreamAverageCapacityUtilization", "ComprehendInferenceUtilization",
               "LambdaProvisionedConcurrencyUtilization", "CassandraReadCapacityUtilization",
               "CassandraWriteCapacityUtilization", "KafkaBrokerStorageUtilization",
               "ElastiCacheEngineCPUUtilization", "ElastiCacheDatabaseMemoryUsagePercentage",
               "ElastiCachePrimaryEngineCPUUtilization", "ElastiCacheReplicaEngineCPUUtilization",
               "ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage", "NeptuneReaderAverageCPUUtilization",
               "SageMakerVariantProvisionedConcurrencyUtilization",
               "ElastiCacheDatabaseCapacityUsageCountedForEvictPercentage",
               "SageMakerInferenceComponentInvocationsPerCopy", "WorkSpacesAverageUserSessionsCapacityUtilization",
               "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
               "SageMakerVariantConcurrentRequestsPerModelHighResolution")

_TT = "targetTrackingScalingPolicyConfiguration"


def _alb_label(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if value.get("predefinedMetricType") == "ALBRequestCountPerTarget" and not value.get("resourceLabel"):
        return "ALBRequestCountPerTarget needs resourceLabel (app/<lb>/<id>/targetgroup/<tg>/<id>)"
    return None


POLICY = ResourceRules(
    type="aws:appautoscaling/policy:Policy",
    source=POLICY_SOURCE,
    forces_replacement=frozenset({"name", "resourceId", "scalableDimension", "serviceNamespace"}),
    rules=(
        Rule(id="appautoscaling.policy.name.length", argument="name", constraint=Length(1, 255),
             message="expected length of name to be in the range (1 - 255)", source=POLICY_SOURCE,
             fix="shorten the policy name to 255 characters (shared/naming.py)",
             ok=("p", "p" * 255), bad=("", "p" * 256)),
        Rule(id="appautoscaling.policy.name.printable", argument="name",
             constraint=Pattern(r"[\x20-\x7e]+", "printable characters"),
             message="PolicyName: Pattern: \\p{Print}+", source=API_PUT_POLICY,
             fix="use printable characters in the policy name", ok=("scaling-frontend-cpu-dev",),
             bad=("cpu\ttracking",)),
        Rule(id="appautoscaling.policy.policy-type.enum", argument="policyType",
             constraint=OneOf(("StepScaling", "TargetTrackingScaling", "PredictiveScaling")),
             message='expected policy_type to be one of ["PredictiveScaling" "StepScaling" "TargetTrackingScaling"]',
             source=POLICY_SOURCE, fix="use TargetTrackingScaling", ok=("TargetTrackingScaling", "StepScaling"),
             bad=("TargetTracking", "targettrackingscaling")),
        Rule(id="appautoscaling.policy.target-tracking.required", argument="",
             constraint=Check(lambda v: None if not isinstance(v, dict)
                              or v.get("policyType") != "TargetTrackingScaling"
                              or v.get(_TT) else "a TargetTrackingScaling policy needs its configuration",
                              "TargetTrackingScaling needs targetTrackingScalingPolicyConfiguration"),
             message="TargetTrackingScalingPolicyConfiguration: This parameter is required if you are creating a "
                     "policy and the policy type is TargetTrackingScaling.",
             source=API_PUT_POLICY, fix="give the policy its target tracking configuration",
             ok=({"policyType": "TargetTrackingScaling", _TT: {"targetValue": 70.0}}, {"policyType": "StepScaling"}),
             bad=({"policyType": "TargetTrackingScaling"},)),
        Rule(id="appautoscaling.policy.target-tracking.metric.conflicts", argument=_TT,
             constraint=ConflictsWith(("predefinedMetricSpecification", "customizedMetricSpecification")),
             message='"target_tracking_scaling_policy_configuration.0.predefined_metric_specification": conflicts '
                     'with target_tracking_scaling_policy_configuration.0.customized_metric_specification',
             source=POLICY_SOURCE, fix="use either a predefined or a customized metric",
             ok=({"predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}},),
             bad=({"predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
                   "customizedMetricSpecification": {"metricName": "m"}},)),
        Rule(id="appautoscaling.policy.target-tracking.metric.required", argument=_TT,
             constraint=AtLeastOneOf(("predefinedMetricSpecification", "customizedMetricSpecification")),
             message="A target tracking scaling policy needs a PredefinedMetricSpecification or a "
                     "CustomizedMetricSpecification.",
             source=API_PUT_POLICY, fix="name the metric to track",
             ok=({"predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}},),
             bad=({"targetValue": 70.0},)),
        Rule(id="appautoscaling.policy.predefined-metric-type.enum",
             argument=f"{_TT}.predefinedMetricSpecification.predefinedMetricType", constraint=OneOf(_PREDEFINED),
             message="expected predefined_metric_type to be one of the MetricType values", source=API_PREDEFINED_METRIC,
             fix="use ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization for ECS",
             ok=("ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"), bad=("CPUUtilization", "ecsCPU")),
        Rule(id="appautoscaling.policy.predefined-metric.resource-label",
             argument=f"{_TT}.predefinedMetricSpecification",
             constraint=Check(_alb_label, "ALBRequestCountPerTarget needs resourceLabel"),
             message="ResourceLabel: You can't specify a resource label unless the metric type is "
                     "ALBRequestCountPerTarget and there is a target group attached to the Spot Fleet or ECS service.",
             source=API_PREDEFINED_METRIC, fix="give ALBRequestCountPerTarget its resource label",
             ok=({"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
                 {"predefinedMetricType": "ALBRequestCountPerTarget", "resourceLabel": "app/a/1/targetgroup/t/2"}),
             bad=({"predefinedMetricType": "ALBRequestCountPerTarget"},)),
        Rule(id="appautoscaling.policy.scale-in-cooldown.range", argument=f"{_TT}.scaleInCooldown",
             constraint=Range(0, None),
             message="ScaleInCooldown: The amount of time, in seconds, after a scale-in activity completes before "
                     "another scale-in activity can start.",
             source=API_PUT_POLICY, fix="use a cooldown of 0 seconds or more", ok=(0.0, 300.0), bad=(-1.0,)),
        Rule(id="appautoscaling.policy.scale-out-cooldown.range", argument=f"{_TT}.scaleOutCooldown",
             constraint=Range(0, None),
             message="ScaleOutCooldown: The amount of time, in seconds, after a scale-out activity completes before "
                     "another scale-out activity can start.",
             source=API_PUT_POLICY, fix="use a cooldown of 0 seconds or more", ok=(0.0, 60.0), bad=(-1.0,)),
        Rule(id="appautoscaling.policy.target-value.positive", argument=f"{_TT}.targetValue",
             constraint=Check(lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                              else f"targetValue {v!r} must be a number above 0", "a number above 0"),
             message="TargetValue: The target value for the metric. Although this property accepts numbers of type "
                     "Double, it won't accept values that are either too small or too large.",
             source=API_PUT_POLICY, fix="track a positive target (70 percent CPU)", ok=(70.0, 0.5), bad=(0.0, -5.0)),
        replace(_NAMESPACE_RULE, id="appautoscaling.policy.service-namespace.enum", source=POLICY_SOURCE),
        _ecs_target_rule("appautoscaling.policy.ecs.resource"),
    ),
)

# --- scheduled action -------------------------------------------------------------------------------------

_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"


def _cron_field(text: str, low: int, high: int, names: str = "", extra: str = "") -> bool:
    """One cron field: * or a comma list of values, ranges a-b and increments x/n, within low..high."""
    if text == "*":
        return True
    value = rf"(\d{{1,4}}|{names})" if names else r"(\d{1,4})"
    item = re.compile(rf"(?:\*|{value}(?:-{value})?)(?:/(\d{{1,4}}))?")
    for part in text.split(","):
        if extra and re.fullmatch(extra, part):
            continue
        m = item.fullmatch(part)
        if m is None:
            return False
        for group in (m.group(1), m.group(2)):
            if group is not None and group.isdigit() and not low <= int(group) <= high:
                return False
        if m.group(3) is not None and int(m.group(3)) < 1:
            return False
    return True


def _cron_problem(body: str) -> str | None:
    fields = body.split()
    if len(fields) != 6:
        return f"cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not {len(fields)}"
    minute, hour, dom, month, dow, year = fields
    if not _cron_field(minute, 0, 59):
        return f"minutes field {minute!r} must be 0-59 with , - * /"
    if not _cron_field(hour, 0, 23):
        return f"hours field {hour!r} must be 0-23 with , - * /"
    if dom != "?" and not _cron_field(dom, 1, 31, extra=r"L|LW|\d{1,2}W"):
        return f"day-of-month field {dom!r} must be 1-31 with , - * ? / L W"
    if not _cron_field(month, 1, 12, _MONTHS):
        return f"month field {month!r} must be 1-12 or JAN-DEC with , - * /"
    if dow != "?" and not _cron_field(dow, 1, 7, _DAYS, extra=rf"([1-7]|{_DAYS})(L|#[1-5])"):
        return f"day-of-week field {dow!r} must be 1-7 or SUN-SAT with , - * ? L #"
    if not _cron_field(year, 1970, 2199):
        return f"year field {year!r} must be 1970-2199 with , - * /"
    if (dom == "?") == (dow == "?"):
        return "exactly one of day-of-month and day-of-week must be ? (you cannot specify both)"
    return None


def schedule_problem(value: Any) -> str | None:
    """The three schedule forms of Application Auto Scaling: at(), rate() and the 6-field cron()."""
    if not isinstance(value, str):
        return "must be a string"
    m = re.fullmatch(r"(at|rate|cron)\((.*)\)", value)
    if m is None:
        return "must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)"
    kind, body = m.groups()
    if kind == "at":
        if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d", body) is None:
            return f"at({body}) must be at(yyyy-mm-ddThh:mm:ss)"
        return None
    if kind == "rate":
        r = re.fullmatch(r"([1-9]\d*) (minute|minutes|hour|hours|day|days)", body)
        return None if r else f"rate({body}) must be rate(<positive integer> minute|minutes|hour|hours|day|days)"
    return _cron_problem(body)


def _timezone(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if value in ("UTC", "GMT") or re.fullmatch(r"[A-Z][A-Za-z_]+(/[A-Za-z0-9_+\-]+){1,2}", value):
        return None
    return f"{value!r} is not an IANA time zone name such as America/New_York or Etc/GMT+9"


SCHEDULED_ACTION = ResourceRules(
    type="aws:appautoscaling/scheduledAction:ScheduledAction",
    source=SCHEDULED_SOURCE,
    forces_replacement=frozenset({"name", "resourceId", "scalableDimension", "serviceNamespace"}),
    rules=(
        Rule(id="appautoscaling.scheduled-action.name.length", argument="name", constraint=Length(1, 256),
             message="ScheduledActionName: Length Constraints: Minimum length of 1. Maximum length of 256.",
             source=API_PUT_SCHEDULED, fix="shorten the scheduled action name to 256 characters (shared/naming.py)",
             ok=("a", "a" * 256), bad=("", "a" * 257)),
        Rule(id="appautoscaling.scheduled-action.name.pattern", argument="name",
             constraint=Pattern(r"(?!((^[ ]+.*)|(.*([\x00-\x1f]|[\x7f-\x9f]|[:/|])+.*)|(.*[ ]+$))).+",
                                "no ':', '/', '|', control characters or leading/trailing spaces"),
             message="ScheduledActionName: Pattern: (?!((^[ ]+.*)|(.*([\\u0000-\\u001f]|[\\u007f-\\u009f]|[:/|])+.*)|"
                     "(.*[ ]+$))).+",
             source=API_PUT_SCHEDULED, fix="drop ':', '/' and '|' from the scheduled action name",
             ok=("scaling-frontend-market-open-prod",), bad=("scaling:open", "a/b", " open", "open ")),
        Rule(id="appautoscaling.scheduled-action.schedule.form", argument="schedule",
             constraint=Check(schedule_problem, "at(yyyy-mm-ddThh:mm:ss), rate(value unit) or 6-field cron()"),
             message="Schedule: at(yyyy-mm-ddThh:mm:ss) | rate(value unit) | cron(fields); cron has six fields: "
                     "Minutes Hours Day-of-month Month Day-of-week Year",
             source=SCHEDULE_DOC, fix="write the schedule as cron(0 9 ? * MON-FRI *) (six fields, one of the day "
                                      "fields '?')",
             ok=("cron(0 9 ? * MON-FRI *)", "cron(30 16 ? * MON-FRI *)", "cron(0 0 1 * ? *)",
                 "cron(0/15 * ? * 2#1 2030)", "rate(5 minutes)", "rate(1 day)", "at(2030-01-31T09:00:00)",
                 "cron(0 18 L * ? *)"),
             bad=("cron(0 9 * * MON-FRI)", "cron(0 9 * * MON-FRI *)", "cron(0 9 ? * ? *)", "cron(60 9 ? * MON *)",
                  "cron(0 24 ? * MON *)", "cron(0 9 ? 13 MON *)", "cron(0 9 ? * MON 2200)", "cron(0 9 ? * 8 *)",
                  "rate(0 minutes)", "rate(5 weeks)", "at(2030-01-31 09:00)", "0 9 * * 1-5", "cron(9am 9 ? * MON *)",
                  "cron(0/0 9 ? * MON *)", "cron(0 9 32 * ? *)", 5.0)),
        Rule(id="appautoscaling.scheduled-action.schedule.length", argument="schedule", constraint=Length(1, 1600),
             message="Schedule: Length Constraints: Minimum length of 1. Maximum length of 1600.",
             source=API_PUT_SCHEDULED, fix="shorten the schedule", ok=("s", "s" * 1600), bad=("", "s" * 1601)),
        Rule(id="appautoscaling.scheduled-action.timezone.iana", argument="timezone",
             constraint=Check(_timezone, "an IANA time zone name"),
             message="Timezone: Valid values are the canonical names of the IANA time zones supported by Joda-Time "
                     "(such as Etc/GMT+9 or Pacific/Tahiti).",
             source=API_PUT_SCHEDULED, fix="use an IANA zone such as America/New_York (not EST or Eastern Time)",
             ok=("America/New_York", "UTC", "Etc/GMT+9", "America/Argentina/Buenos_Aires"),
             bad=("Eastern Time", "EST", "new_york", "", -5.0)),
        Rule(id="appautoscaling.scheduled-action.scalable-target-action.at-least-one", argument="scalableTargetAction",
             constraint=AtLeastOneOf(("maxCapacity", "minCapacity")),
             message='"scalable_target_action.0.max_capacity": one of `scalable_target_action.0.max_capacity,'
                     'scalable_target_action.0.min_capacity` must be specified',
             source=SCHEDULED_SOURCE, fix="set minCapacity, maxCapacity or both",
             ok=({"minCapacity": 4.0, "maxCapacity": 10.0}, {"minCapacity": 2.0}), bad=({},)),
        Rule(id="appautoscaling.scheduled-action.min-capacity.range", argument="scalableTargetAction.minCapacity",
             constraint=Range(0, None), message="expected scalable_target_action.0.min_capacity to be at least (0)",
             source=SCHEDULED_SOURCE, fix="use 0 or more", ok=(0.0, 4.0), bad=(-1.0,)),
        Rule(id="appautoscaling.scheduled-action.max-capacity.range", argument="scalableTargetAction.maxCapacity",
             constraint=Range(0, None), message="expected scalable_target_action.0.max_capacity to be at least (0)",
             source=SCHEDULED_SOURCE, fix="use 0 or more", ok=(0.0, 10.0), bad=(-1.0,)),
        Rule(id="appautoscaling.scheduled-action.capacity.order", argument="scalableTargetAction",
             constraint=Check(_min_max, "min <= max"),
             message="Minimum capacity cannot be greater than maximum capacity", source=API_PUT_SCHEDULED,
             fix="keep the scheduled minCapacity at or below maxCapacity",
             ok=({"minCapacity": 4.0, "maxCapacity": 10.0},), bad=({"minCapacity": 12.0, "maxCapacity": 10.0},)),
        Rule(id="appautoscaling.scheduled-action.service-namespace.enum", argument="serviceNamespace",
             constraint=OneOf(_NAMESPACES),
             message="expected service_namespace to be one of the ServiceNamespace values",
             source=API_PUT_SCHEDULED, fix="use ecs for ECS services", ok=("ecs",), bad=("ECS",)),
        _ecs_target_rule("appautoscaling.scheduled-action.ecs.resource"),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (TARGET, POLICY, SCHEDULED_ACTION)
