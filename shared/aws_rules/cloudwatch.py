"""Argument rules of the cloudwatch resources this repository creates (see shared/aws_rules/model.py)."""
from __future__ import annotations

import re
from typing import Any

from shared.aws_rules.iam import ARN, VERIFY_SOURCE
from shared.aws_rules.model import Check, ConflictsWith, Length, OneOf, Pattern, Range, ResourceRules, Rule

_TF = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service"
LOG_GROUP_SOURCE = f"{_TF}/logs/group.go"
LOGS_VALIDATE_SOURCE = f"{_TF}/logs/validate.go"
ALARM_SOURCE = f"{_TF}/cloudwatch/metric_alarm.go"
CREATE_LOG_GROUP = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
METRIC_DATA_QUERY = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html"

RETENTION_DAYS = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
COMPARISON_OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                        "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
                        "LessThanLowerThreshold", "GreaterThanUpperThreshold")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
_EXTENDED_STATISTIC = (r"(p|tm|wm|tc|ts)(\d{1,2}(\.\d{1,2})?|100)|IQM|"
                       r"(TM|WM|PR|TC|TS)\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\)")
_LOG_GROUP_CHARS = r"[0-9A-Za-z_./#-]+"


def _retention_problem(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value in RETENTION_DAYS
    return None if ok else f"is {value!r}; it must be one of {', '.join(map(str, RETENTION_DAYS))}"


def _period_problem(allowed: tuple[int, ...]):
    def problem(value: Any) -> str | None:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) == int(value) and (
            int(value) in allowed or (int(value) > 0 and int(value) % 60 == 0))
        return None if ok else f"is {value!r}; it must be one of {list(allowed)} or a multiple of 60"
    return problem


def _stat_problem(value: Any) -> str | None:
    if value in STATISTICS or (isinstance(value, str) and re.fullmatch(_EXTENDED_STATISTIC, value)):
        return None
    return "invalid statistic, see: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/" \
           "Statistics-definitions.html"


def _expression_xor_metric(query: Any) -> str | None:
    if isinstance(query, dict) and query.get("expression") and query.get("metric"):
        return "No metric_query may have both `expression` and a `metric` specified"
    return None


def _one_returns_data(queries: Any) -> str | None:
    if not isinstance(queries, list) or not queries:
        return None
    returning = [q.get("id") for q in queries if isinstance(q, dict) and q.get("returnData")]
    if len(returning) == 1:
        return None
    return f"exactly one metric query must set returnData=true, not {len(returning)} ({returning})"


def _datapoints_within_periods(alarm: Any) -> str | None:
    datapoints, periods = alarm.get("datapointsToAlarm"), alarm.get("evaluationPeriods")
    if isinstance(datapoints, (int, float)) and isinstance(periods, (int, float)) and datapoints > periods:
        return f"datapointsToAlarm {datapoints:g} exceeds evaluationPeriods {periods:g}"
    return None


def _at_most(limit: int):
    def problem(value: Any) -> str | None:
        return None if not isinstance(value, list) or len(value) <= limit else \
            f"has {len(value)} items; at most {limit} are allowed"
    return problem


_SNS = "arn:aws:sns:us-east-1:123456789012:sns-alarms-dev"
_QUERY = {"id": "cpu", "returnData": True,
          "metric": {"metricName": "CPUUtilization", "namespace": "AWS/ECS", "period": 60.0, "stat": "Average"}}

LOG_GROUP = ResourceRules(
    type="aws:cloudwatch/logGroup:LogGroup",
    source=LOG_GROUP_SOURCE,
    forces_replacement=frozenset({"name", "namePrefix", "logGroupClass"}),
    rules=(
        Rule(id="cloudwatch.log-group.name.length", argument="name", constraint=Length(1, 512),
             message='"name" cannot be longer than 512 characters', source=LOGS_VALIDATE_SOURCE,
             fix="shorten the log group name", ok=("l", "l" * 512), bad=("", "l" * 513)),
        Rule(id="cloudwatch.log-group.name.pattern", argument="name",
             constraint=Pattern(_LOG_GROUP_CHARS, "letters, digits and _ . / # -"),
             message='"name" isn\'t a valid log group name (alphanumeric characters, underscores, hyphens, '
                     'slashes, hash signs and dots are allowed)', source=LOGS_VALIDATE_SOURCE,
             fix="use letters, digits and _./#- only", ok=("log-frontend-dev", "/ecs/frontend#1"),
             bad=("log frontend", "log:frontend")),
        Rule(id="cloudwatch.log-group.name-prefix.length", argument="namePrefix", constraint=Length(1, 483),
             message='"name_prefix" cannot be longer than 483 characters', source=LOGS_VALIDATE_SOURCE,
             fix="keep the prefix to 483 characters (the provider appends a unique suffix)",
             ok=("l", "l" * 483), bad=("", "l" * 484)),
        Rule(id="cloudwatch.log-group.name-prefix.pattern", argument="namePrefix",
             constraint=Pattern(_LOG_GROUP_CHARS, "letters, digits and _ . / # -"),
             message='"name_prefix" isn\'t a valid log group name', source=LOGS_VALIDATE_SOURCE,
             fix="use letters, digits and _./#- only", ok=("log-frontend-",), bad=("log frontend-",)),
        Rule(id="cloudwatch.log-group.name.conflicts", argument="", constraint=ConflictsWith(("name", "namePrefix")),
             message='"name": conflicts with name_prefix', source=LOG_GROUP_SOURCE, fix="set name or namePrefix",
             ok=({"name": "log-a-dev"},), bad=({"name": "log-a-dev", "namePrefix": "log-a-"},)),
        Rule(id="cloudwatch.log-group.retention-in-days.enum", argument="retentionInDays",
             constraint=Check(_retention_problem, f"one of {RETENTION_DAYS}"),
             message="expected retention_in_days to be one of [0 1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 "
                     "1096 1827 2192 2557 2922 3288 3653]", source=LOG_GROUP_SOURCE,
             fix="pick one of the retention periods CloudWatch Logs offers (30, 90, 365, ...)",
             ok=(0.0, 30.0, 3653.0), bad=(2.0, 31.0, 3654.0, "30")),
        Rule(id="cloudwatch.log-group.kms-key-id.arn", argument="kmsKeyId",
             constraint=Pattern(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9A-Za-z-]+", "a KMS key ARN"),
             message="Specified KMS key ARN is invalid; the key must be given as an ARN", source=CREATE_LOG_GROUP,
             fix="pass the key's ARN (key.arn), not its id or alias",
             ok=("arn:aws:kms:us-east-1:123456789012:key/54b648b5-ebc4-4e68-32fa-f33be3a55825",),
             bad=("54b648b5-ebc4-4e68-32fa-f33be3a55825", "alias/alias-kms-platform-dev")),
        Rule(id="cloudwatch.log-group.log-group-class.enum", argument="logGroupClass",
             constraint=OneOf(("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")),
             message="expected log_group_class to be one of [STANDARD INFREQUENT_ACCESS DELIVERY]",
             source=LOG_GROUP_SOURCE, fix="use STANDARD", ok=("STANDARD",), bad=("standard",)),
    ),
)

METRIC_ALARM = ResourceRules(
    type="aws:cloudwatch/metricAlarm:MetricAlarm",
    source=ALARM_SOURCE,
    forces_replacement=frozenset({"name"}),
    rules=(
        Rule(id="cloudwatch.metric-alarm.name.length", argument="name", constraint=Length(1, 255),
             message="expected length of alarm_name to be in the range (1 - 255)", source=ALARM_SOURCE,
             fix="shorten the alarm name", ok=("a", "a" * 255), bad=("", "a" * 256)),
        Rule(id="cloudwatch.metric-alarm.alarm-description.length", argument="alarmDescription",
             constraint=Length(0, 1024), message="expected length of alarm_description to be in the range (0 - 1024)",
             source=ALARM_SOURCE, fix="shorten the description", ok=("", "d" * 1024), bad=("d" * 1025,)),
        Rule(id="cloudwatch.metric-alarm.comparison-operator.enum", argument="comparisonOperator",
             constraint=OneOf(COMPARISON_OPERATORS), message="expected comparison_operator to be one of [...]",
             source=ALARM_SOURCE, fix="use a ComparisonOperator value such as GreaterThanThreshold",
             ok=("GreaterThanThreshold", "LessThanLowerOrGreaterThanUpperThreshold"), bad=("GreaterThan", ">")),
        Rule(id="cloudwatch.metric-alarm.evaluation-periods.range", argument="evaluationPeriods",
             constraint=Range(1, None), message="expected evaluation_periods to be at least (1)", source=ALARM_SOURCE,
             fix="evaluate at least one period", ok=(1.0, 3.0), bad=(0.0,)),
        Rule(id="cloudwatch.metric-alarm.datapoints-to-alarm.range", argument="datapointsToAlarm",
             constraint=Range(1, None), message="expected datapoints_to_alarm to be at least (1)", source=ALARM_SOURCE,
             fix="alarm on at least one datapoint", ok=(1.0, 3.0), bad=(0.0,)),
        Rule(id="cloudwatch.metric-alarm.datapoints-to-alarm.within-periods", argument="",
             constraint=Check(_datapoints_within_periods, "datapointsToAlarm <= evaluationPeriods"),
             message="DatapointsToAlarm must be less than or equal to EvaluationPeriods", source=PUT_METRIC_ALARM,
             fix="lower datapointsToAlarm or raise evaluationPeriods",
             ok=({"datapointsToAlarm": 3.0, "evaluationPeriods": 3.0}, {"evaluationPeriods": 3.0}),
             bad=({"datapointsToAlarm": 4.0, "evaluationPeriods": 3.0},)),
        Rule(id="cloudwatch.metric-alarm.period.values", argument="period",
             constraint=Check(_period_problem((10, 20, 30)), "10, 20, 30 or a multiple of 60"),
             message="expected period to be one of [10 20 30] or divisible by 60", source=ALARM_SOURCE,
             fix="use 10, 20, 30 or a multiple of 60 seconds", ok=(10.0, 30.0, 60.0, 300.0), bad=(15.0, 45.0, 0.0)),
        Rule(id="cloudwatch.metric-alarm.statistic.enum", argument="statistic", constraint=OneOf(STATISTICS),
             message="expected statistic to be one of [SampleCount Average Sum Minimum Maximum]",
             source=ALARM_SOURCE, fix="use Average, Sum, Minimum, Maximum or SampleCount",
             ok=("Average", "Maximum"), bad=("average", "p99")),
        Rule(id="cloudwatch.metric-alarm.extended-statistic.pattern", argument="extendedStatistic",
             constraint=Pattern(_EXTENDED_STATISTIC, "a percentile or trimmed statistic such as p99"),
             message="invalid statistic, see: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
                     "Statistics-definitions.html", source=ALARM_SOURCE, fix="write a percentile as p99 or p99.9",
             ok=("p99", "p99.9", "TM(10%:90%)"), bad=("P99", "99th")),
        Rule(id="cloudwatch.metric-alarm.treat-missing-data.enum", argument="treatMissingData",
             constraint=Check(lambda v: None if isinstance(v, str) and v.lower() in
                              {t.lower() for t in TREAT_MISSING_DATA} else f"is {v!r}; it must be one of "
                              f"{', '.join(TREAT_MISSING_DATA)}", "breaching, notBreaching, ignore or missing"),
             message="expected treat_missing_data to be one of [breaching notBreaching ignore missing]",
             source=ALARM_SOURCE, fix="use breaching, notBreaching, ignore or missing",
             ok=("missing", "notBreaching"), bad=("not-breaching", "zero")),
        Rule(id="cloudwatch.metric-alarm.threshold.conflicts", argument="",
             constraint=ConflictsWith(("threshold", "thresholdMetricId")),
             message='"threshold": conflicts with threshold_metric_id', source=ALARM_SOURCE,
             fix="set threshold, or thresholdMetricId for an anomaly band", ok=({"threshold": 0.0},),
             bad=({"threshold": 1.0, "thresholdMetricId": "band"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-metric-name", argument="",
             constraint=ConflictsWith(("metricQueries", "metricName")),
             message='"metric_query": conflicts with metric_name', source=ALARM_SOURCE,
             fix="describe the metric either in metricQueries or with metricName/namespace/period/statistic",
             ok=({"metricQueries": [_QUERY]}, {"metricName": "CPUUtilization"}),
             bad=({"metricQueries": [_QUERY], "metricName": "CPUUtilization"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-namespace", argument="",
             constraint=ConflictsWith(("metricQueries", "namespace")),
             message='"namespace": conflicts with metric_query', source=ALARM_SOURCE,
             fix="put the namespace inside the metric query", ok=({"metricQueries": [_QUERY]},),
             bad=({"metricQueries": [_QUERY], "namespace": "AWS/ECS"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-period", argument="",
             constraint=ConflictsWith(("metricQueries", "period")),
             message='"period": conflicts with metric_query', source=ALARM_SOURCE,
             fix="put the period inside the metric query", ok=({"metricQueries": [_QUERY]},),
             bad=({"metricQueries": [_QUERY], "period": 60.0},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-statistic", argument="",
             constraint=ConflictsWith(("metricQueries", "statistic")),
             message='"statistic": conflicts with metric_query', source=ALARM_SOURCE,
             fix="put the stat inside the metric query", ok=({"metricQueries": [_QUERY]},),
             bad=({"metricQueries": [_QUERY], "statistic": "Average"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-extended-statistic", argument="",
             constraint=ConflictsWith(("metricQueries", "extendedStatistic")),
             message='"extended_statistic": conflicts with metric_query', source=ALARM_SOURCE,
             fix="put the stat inside the metric query", ok=({"metricQueries": [_QUERY]},),
             bad=({"metricQueries": [_QUERY], "extendedStatistic": "p99"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.conflicts-dimensions", argument="",
             constraint=ConflictsWith(("metricQueries", "dimensions")),
             message='"dimensions": conflicts with metric_query', source=ALARM_SOURCE,
             fix="put the dimensions inside the metric query", ok=({"metricQueries": [_QUERY]},),
             bad=({"metricQueries": [_QUERY], "dimensions": {"ClusterName": "cluster-dev"}},)),
        Rule(id="cloudwatch.metric-alarm.statistic.conflicts", argument="",
             constraint=ConflictsWith(("statistic", "extendedStatistic")),
             message='"statistic": conflicts with extended_statistic', source=ALARM_SOURCE,
             fix="set statistic or extendedStatistic", ok=({"statistic": "Average"},),
             bad=({"statistic": "Average", "extendedStatistic": "p99"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.one-returns-data", argument="metricQueries",
             constraint=Check(_one_returns_data, "exactly one query with returnData=true"),
             message="Exactly one element of the Metrics array must have ReturnData set to true",
             source=PUT_METRIC_ALARM, fix="set returnData=True on the expression the alarm watches, False elsewhere",
             ok=([_QUERY], [{**_QUERY, "returnData": False}, {"id": "e", "expression": "cpu", "returnData": True}],
                 []),
             bad=([{**_QUERY, "returnData": False}], [_QUERY, {"id": "e", "expression": "cpu", "returnData": True}])),
        Rule(id="cloudwatch.metric-alarm.metric-queries.expression-or-metric", argument="metricQueries[]",
             constraint=Check(_expression_xor_metric, "expression or metric, not both"),
             message="No metric_query may have both `expression` and a `metric` specified", source=ALARM_SOURCE,
             fix="split the query: one with the metric, one with the expression", ok=(_QUERY,),
             bad=({**_QUERY, "expression": "cpu"},)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.id.length", argument="metricQueries[].id",
             constraint=Length(1, 255), message="expected length of metric_query.id to be in the range (1 - 255)",
             source=ALARM_SOURCE, fix="shorten the query id", ok=("c", "c" * 255), bad=("", "c" * 256)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.id.pattern", argument="metricQueries[].id",
             constraint=Pattern(r"[a-z][A-Za-z0-9_]*", "a lower-case letter, then letters, digits and _"),
             message="The first character must be a lower-case letter; valid characters are letters, numbers and "
                     "underscore", source=METRIC_DATA_QUERY, fix="name queries like cpu, tg0, result",
             ok=("cpu", "tg0", "desired_count"), bad=("Cpu", "0tg", "tg-0")),
        Rule(id="cloudwatch.metric-alarm.metric-queries.expression.length", argument="metricQueries[].expression",
             constraint=Length(1, 1024), message="expected length of expression to be in the range (1 - 1024)",
             source=ALARM_SOURCE, fix="shorten the expression", ok=("e", "e" * 1024), bad=("", "e" * 1025)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.period.values", argument="metricQueries[].period",
             constraint=Check(_period_problem((1, 5, 10, 20, 30)), "1, 5, 10, 20, 30 or a multiple of 60"),
             message="expected period to be one of [1 5 10 20 30] or divisible by 60", source=ALARM_SOURCE,
             fix="use 60 seconds (or 1, 5, 10, 20, 30 for high-resolution metrics)", ok=(1.0, 30.0, 60.0),
             bad=(15.0, 90.0)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.metric.period.values",
             argument="metricQueries[].metric.period",
             constraint=Check(_period_problem((1, 5, 10, 20, 30)), "1, 5, 10, 20, 30 or a multiple of 60"),
             message="expected period to be one of [1 5 10 20 30] or divisible by 60", source=ALARM_SOURCE,
             fix="use 60 seconds (or 1, 5, 10, 20, 30 for high-resolution metrics)", ok=(5.0, 60.0, 300.0),
             bad=(45.0, 0.0)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.metric.stat.values", argument="metricQueries[].metric.stat",
             constraint=Check(_stat_problem, "a statistic or extended statistic"),
             message="invalid statistic, see: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/"
                     "Statistics-definitions.html", source=ALARM_SOURCE, fix="use Average, Sum, Maximum, p99, ...",
             ok=("Average", "Sum", "p99"), bad=("avg", "P99")),
        Rule(id="cloudwatch.metric-alarm.metric-queries.metric.metric-name.length",
             argument="metricQueries[].metric.metricName", constraint=Length(1, 255),
             message="expected length of metric_name to be in the range (1 - 255)", source=ALARM_SOURCE,
             fix="use the metric's name", ok=("m", "m" * 255), bad=("", "m" * 256)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.metric.namespace.length",
             argument="metricQueries[].metric.namespace", constraint=Length(1, 255),
             message="expected length of namespace to be in the range (1 - 255)", source=ALARM_SOURCE,
             fix="use the metric's namespace", ok=("n", "n" * 255), bad=("", "n" * 256)),
        Rule(id="cloudwatch.metric-alarm.metric-queries.metric.namespace.colon",
             argument="metricQueries[].metric.namespace",
             constraint=Pattern(r"[^:]*", "free of colons"), message="must not contain colon characters",
             source=ALARM_SOURCE, fix="remove the colon", ok=("AWS/ECS", "ECS/ContainerInsights"), bad=("AWS:ECS",)),
        Rule(id="cloudwatch.metric-alarm.alarm-actions.arn", argument="alarmActions[]",
             constraint=ARN, message='"alarm_actions" is an invalid ARN',
             source=VERIFY_SOURCE, fix="pass the SNS topic's ARN", ok=(_SNS,), bad=("sns-alarms-dev",)),
        Rule(id="cloudwatch.metric-alarm.ok-actions.arn", argument="okActions[]", constraint=ARN,
             message='"ok_actions" is an invalid ARN', source=VERIFY_SOURCE, fix="pass the SNS topic's ARN",
             ok=(_SNS,), bad=("sns-alarms-dev",)),
        Rule(id="cloudwatch.metric-alarm.alarm-actions.count", argument="alarmActions",
             constraint=Check(_at_most(5), "at most 5 actions"), message="Member must have length less than or "
             "equal to 5", source=PUT_METRIC_ALARM, fix="notify one topic and fan out from it",
             ok=([_SNS] * 5,), bad=([_SNS] * 6,)),
        Rule(id="cloudwatch.metric-alarm.ok-actions.count", argument="okActions",
             constraint=Check(_at_most(5), "at most 5 actions"), message="Member must have length less than or "
             "equal to 5", source=ALARM_SOURCE, fix="notify one topic and fan out from it",
             ok=([_SNS] * 5,), bad=([_SNS] * 6,)),
    ),
)

RESOURCES: tuple[ResourceRules, ...] = (LOG_GROUP, METRIC_ALARM)
