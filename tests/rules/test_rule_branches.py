"""The branches of the rule functions that the rules' own examples cannot show, and the exact reason the newer
bad examples are refused.

A check on a nested argument (`healthCheck`, `metricQueries`, `dnsConfig`, a container definitions string) can
receive any JSON value from a plan; it leaves what is not its business to the rule that owns it (a malformed
container list is the JSON rule's finding, an invalid CIDR the network-address rule's) and says nothing. Those
silences are pinned here, function by function. The second table holds bad examples whose refusal is only
worth something for the right reason: each must be one of its rule's `bad` examples and give the message of the
branch it was written for.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import shared.aws_rules as aws_rules
from shared.aws_rules import (
    COMMON_RULES,
    RULES,
    appautoscaling,
    cloudwatch,
    dynamodb,
    ec2,
    ecr,
    ecs,
    elbv2,
    kms,
    random,
    s3,
    secretsmanager,
    servicediscovery,
    sns,
    sqs,
    tags,
)
from shared.aws_rules import iam as iam_rules
from shared.aws_rules.model import MASKED, Check, ExactlyOneOf, Length, OneOf, Pattern, Range, Rule


def made(factory: Callable[..., Callable[[Any], object]], *args: Any) -> Callable[[Any], object]:
    """The check a factory makes, built when the case runs and not when the table is collected: the factory's
    own code is then what the case tests."""
    def check(value: Any) -> object:
        return factory(*args)(value)
    check.__qualname__ = f"{factory.__qualname__}{args!r}"
    return check


CONTAINER_CASES: list[Any] = ["[", '{"name": "app"}', json.dumps(["app"])]

FUNCTION_CASES: list[tuple[Callable[[Any], object], Any, object]] = [
    # A scalable target action or a predefined metric that is not an object: nothing to compare.
    (appautoscaling._min_max, [], None),
    (appautoscaling._alb_label, "ALBRequestCountPerTarget", None),
    # No metric queries, or not a list of them: no query has to return data.
    (cloudwatch._one_returns_data, {"id": "cpu"}, None),
    # The netmask rule leaves an invalid CIDR to the network-address rule ...
    (made(ec2._netmask_between, 16, 28), "10.0.1.0/16", None),
    (made(ec2._netmask_between, 16, 28), "ten", None),
    # ... and judges a canonical one.
    (made(ec2._netmask_between, 16, 28), "10.0.0.0/29",
     "'10.0.0.0/29' has netmask /29; the allowed block size is between a /16 and a /28 netmask"),
    # A lifecycle policy that does not parse to a rules list is the JSON rule's finding.
    (ecr._rules_of, "{", None),
    (ecr._rules_of, "[]", None),
    (ecr._rules_of, json.dumps({"rules": ["expire"]}), None),
    (ecr._priorities, "{", None),
    (ecr._selection, json.dumps({"rules": "expire"}), None),
    # A capacity provider strategy that is not a list.
    (ecs._one_base, {"capacityProvider": "FARGATE", "base": 2.0}, None),
    (ecs._some_weight, {"capacityProvider": "FARGATE", "weight": 0.0}, None),
    # Container definitions that do not parse to a list of objects are the JSON rule's finding ...
    *[(function, value, None) for function in (ecs._container_names, ecs._port_mappings, ecs._health_checks,
                                               ecs._essential) for value in CONTAINER_CASES],
    (ecs._containers, 60, None),
    # ... and so is an empty list (at least one container), not the essential rule's.
    (ecs._essential, "[]", None),
    # A health check that is not an object: no timeout to compare.
    (elbv2._timeout_below_interval, "traffic-port", None),
    (elbv2._timeout_below_interval, {"timeout": 5.0, "interval": 5.0}, "timeout 5 must be smaller than interval 5"),
    # A DNS config that is not an object.
    (servicediscovery._cname_routing, [{"type": "CNAME"}], None),
    # No endpoint, or a secret one: the real value is unknown offline.
    (sns._endpoint_problem, {"protocol": "email"}, None),
    (sns._endpoint_problem, {"protocol": "email", "endpoint": MASKED}, None),
    (sns._endpoint_problem, {"protocol": "email", "endpoint": "[secret"},
     "endpoint '[secret' must be an email address for protocol email"),
    # No name (namePrefix, or autonaming later): nothing to match.
    (sns._topic_name_problem, {"fifoTopic": True}, None),
    (sqs._queue_name_problem, {"fifoQueue": True}, None),
    # --- ecs: each message names the container, the argument, the value and the allowed range --------------
    (ecs._arn_problem, 5, "5 is an invalid ARN"),
    (ecs._arn_problem, "arn:aws:iam::123456789012:role/r", None),
    (ecs._one_base, [{"capacityProvider": "FARGATE", "base": 2}, {"capacityProvider": "FARGATE_SPOT", "base": 1},
                     {"capacityProvider": "OTHER", "base": 0}, "junk"],
     "FARGATE, FARGATE_SPOT all set a base; only one may"),
    (ecs._one_base, [{"capacityProvider": "FARGATE", "base": 1}, {"capacityProvider": "SPOT", "base": None}], None),
    (ecs._some_weight, [{"capacityProvider": "FARGATE", "weight": 0}], None),  # one provider: no rule
    (ecs._some_weight, ["junk", {"capacityProvider": "FARGATE", "weight": None}], "every provider has weight 0"),
    (ecs._some_weight, [{"weight": None}, {"weight": 1}], None),
    (ecs._strategy_registered, {"capacityProviders": ["FARGATE"], "defaultCapacityProviderStrategies": [
        {"capacityProvider": "A"}, {"capacityProvider": "FARGATE"}, {"capacityProvider": "B"}, "junk"]},
     "A, B not in capacityProviders"),
    (ecs._strategy_registered, {"defaultCapacityProviderStrategies": [{"capacityProvider": "A"}]},
     "A not in capacityProviders"),
    (ecs._strategy_registered, {}, None),
    (ecs._containers, json.dumps([{"name": "a"}]), [{"name": "a"}]),
    (ecs._container_json, "{", "is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
                               "(char 1)"),
    (ecs._container_json, json.dumps({"name": "a"}),
     "json: cannot unmarshal dict into Go value of type []types.ContainerDefinition"),
    (ecs._container_json, "[]", "must define at least one container"),
    (ecs._container_json, json.dumps([{"name": "a"}, 3]), "container 1 is not an object"),
    (ecs._container_json, ecs._cd(essential="yes"),
     "json: cannot unmarshal str into Go struct field ContainerDefinition.essential"),
    (ecs._container_json, ecs._cd(cpu=True),
     "json: cannot unmarshal bool into Go struct field ContainerDefinition.cpu"),
    (ecs._container_json, ecs._cd(cpu=1.5),
     "json: cannot unmarshal float into Go struct field ContainerDefinition.cpu"),
    (ecs._container_json, ecs._cd(cpu=256, memory=None, environment=[{"name": "A", "value": "1"}],
                                  logConfiguration={"logDriver": "awslogs", "options": {"mode": "non-blocking"}}),
     None),
    (ecs._container_json, ecs._cd(logConfiguration={"options": {"max-buffer-size": 25}}),
     "json: cannot unmarshal into Go struct field LogConfiguration.LogConfiguration.Options of type map[string]string"),
    (ecs._container_names, ecs._cd(name="bad.name"),
     "container name 'bad.name' must be 1 to 255 letters, numbers, underscores and hyphens"),
    (ecs._container_names, json.dumps([{"image": "x"}]),
     "container name None must be 1 to 255 letters, numbers, underscores and hyphens"),
    (ecs._container_names, json.dumps([{"name": n} for n in ("b", "a", "b", "a", "c")]),
     "container names repeat: a, b"),
    (ecs._container_names, json.dumps([{"name": "a" * 255}, {"name": "b"}]), None),
    (ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": 0, "hostPort": 65535, "protocol": "udp",
                                                "name": "_" + "a" * 63}, {"containerPort": 80, "protocol": "tcp"}]),
     None),
    (ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": 65536}]),
     "app: containerPort 65536 must be from 0 to 65535"),
    (ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": 80, "hostPort": -1}]),
     "app: hostPort -1 must be from 0 to 65535"),
    (ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": "80"}]),
     "app: containerPort '80' must be from 0 to 65535"),
    (ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": 80, "protocol": "sctp"}]),
     "app: protocol 'sctp' must be tcp or udp"),
    *[(ecs._port_mappings, ecs._cd(portMappings=[{"containerPort": 80, "name": name}]),
       f"app: port mapping name {name!r} must be up to 64 lowercase letters, numbers, underscores and hyphens, "
       "not starting with a hyphen") for name in ("-web", "a" * 65, "Web", 5)],
    (ecs._health_checks, ecs._cd(healthCheck={"command": ["CMD-SHELL", "true"], "interval": 5, "timeout": 2,
                                              "retries": 1, "startPeriod": 0}), None),
    (ecs._health_checks, ecs._cd(healthCheck={"command": ["CMD", "true"], "interval": 300, "timeout": 120,
                                              "retries": 10, "startPeriod": 300}), None),
    *[(ecs._health_checks, ecs._cd(healthCheck={"command": command}),
       "app: healthCheck.command must be a list starting with CMD or CMD-SHELL")
      for command in ([], "CMD true", ["SH", "true"], None)],
    *[(ecs._health_checks, ecs._cd(healthCheck={"command": ["CMD", "true"], key: value}),
       f"app: healthCheck.{key} {value!r} must be from {low} to {high}")
      for key, value, low, high in (("interval", 4, 5, 300), ("interval", 301, 5, 300), ("timeout", 1, 2, 120),
                                    ("timeout", 121, 2, 120), ("retries", 0, 1, 10), ("retries", 11, 1, 10),
                                    ("retries", "3", 1, 10), ("startPeriod", -1, 0, 300),
                                    ("startPeriod", 301, 0, 300))],
    # a container without a health check is skipped, not the end of the list
    (ecs._health_checks, json.dumps([{"name": "a", "healthCheck": None}, {"name": "b", "healthCheck": {}}]),
     "b: healthCheck.command must be a list starting with CMD or CMD-SHELL"),
    (ecs._essential, json.dumps([{"name": "a", "essential": False}, {"name": "b"}]), None),
    (ecs._essential, json.dumps([{"name": "a", "essential": False}, {"name": "b", "essential": False}]),
     "no container is essential"),
    (ecs._fargate_task, "FARGATE", None),
    (ecs._fargate_task, {"requiresCompatibilities": None, "networkMode": "bridge"}, None),
    (ecs._fargate_task, {"requiresCompatibilities": ["EC2", "FARGATE"], "networkMode": "bridge"},
     "a FARGATE task needs networkMode awsvpc, not 'bridge'"),
    (ecs._fargate_task, {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc"},
     "a FARGATE task needs task-level cpu and memory"),
    (ecs._fargate_task, {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256"},
     "a FARGATE task needs task-level memory"),
    *[(ecs._fargate_task, {"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
                           "memory": "512", "containerDefinitions": json.dumps([{"name": "a", "stopTimeout": 0},
                                                                               {"name": "b", **container}])},
       expected) for container, expected in (
          ({"stopTimeout": 120, "portMappings": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 81}]},
           None),
          ({"stopTimeout": 121}, "b: stopTimeout 121 exceeds Fargate's 120 seconds"),
          ({"stopTimeout": -1}, "b: stopTimeout -1 exceeds Fargate's 120 seconds"),
          ({"portMappings": [{"containerPort": 80}, {"containerPort": 8080, "hostPort": 80}]},
           "b: in awsvpc mode hostPort (80) must equal containerPort (8080)"))],
    (ecs._bake_time, "0", None),
    (ecs._bake_time, "1440", None),
    (ecs._bake_time, "1441", "expected bake_time_in_minutes to be in the range (0 - 1440), got 1441"),
    (ecs._bake_time, "-1", "expected bake_time_in_minutes to be in the range (0 - 1440), got -1"),
    (ecs._bake_time, "ten", "cannot parse 'ten' as int"),
    (ecs._bake_time, 5, "cannot parse 5 as int"),
    (ecs._blue_green, {}, None),
    (ecs._blue_green, {"deploymentConfiguration": {"strategy": "ROLLING"}, "loadBalancers": ["junk"]}, None),
    *[(ecs._blue_green, {"deploymentConfiguration": {"strategy": "BLUE_GREEN", **bake}},
       "a BLUE_GREEN deployment needs deploymentConfiguration.bakeTimeInMinutes")
      for bake in ({}, {"bakeTimeInMinutes": ""}, {"bakeTimeInMinutes": None})],
    *[(ecs._blue_green, {"deploymentConfiguration": {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "0"},
                         "loadBalancers": [{"advancedConfiguration": {"alternateTargetGroupArn": "g",
                                                                      "productionListenerRule": "l", "roleArn": "r"}},
                                           second]}, expected)
      for second, expected in (
          ({"advancedConfiguration": {"alternateTargetGroupArn": "g", "productionListenerRule": "l", "roleArn": "r"}},
           None),
          ("junk", "each load balancer of a BLUE_GREEN service needs advancedConfiguration"),
          ({"targetGroupArn": "t"}, "each load balancer of a BLUE_GREEN service needs advancedConfiguration"),
          ({"advancedConfiguration": {"roleArn": "r", "productionListenerRule": ""}},
           "advancedConfiguration needs alternateTargetGroupArn, productionListenerRule"))],
    (made(ecs._count_at_most, 2, "subnets"), ["a", "b", "c"], "3 subnets; at most 2"),
    (made(ecs._count_at_most, 2, "subnets"), ["a", "b"], None),
    (made(ecs._count_at_most, 2, "subnets"), "abc", None),
    # --- elbv2 ------------------------------------------------------------------------------------------------
    (elbv2._arn_problem, None, "None is an invalid ARN"),
    (elbv2._alb_subnets, {"subnets": ["a"]},
     "an application load balancer needs subnets in at least two Availability Zones, not 1"),
    (elbv2._alb_subnets, {"loadBalancerType": None, "subnets": []},
     "an application load balancer needs subnets in at least two Availability Zones, not 0"),
    (elbv2._alb_subnets, {"loadBalancerType": "application", "subnets": ["a", "b"]}, None),
    (elbv2._alb_subnets, {"loadBalancerType": "network", "subnets": ["a"]}, None),
    (elbv2._alb_subnets, ["a"], None),
    (elbv2._action_type, "Fixed-Response", None),
    (elbv2._action_type, "jwt-validation", None),
    (elbv2._action_type, 3, "must be one of forward, authenticate-oidc, authenticate-cognito, redirect, "
                            "fixed-response, jwt-validation (any case)"),
    (elbv2._redirect_port, "#{port}", None),
    (elbv2._redirect_port, "1", None),
    (elbv2._redirect_port, "65535", None),
    *[(elbv2._redirect_port, port, "must be #{port} or a port from 1 to 65535") for port in ("0", "65536", 443, "")],
    (elbv2._listener_certificate, {"protocol": "https"}, "an HTTPS listener needs certificateArn"),
    (elbv2._listener_certificate, {"protocol": "TLS", "certificateArn": ""}, "an TLS listener needs certificateArn"),
    (elbv2._listener_certificate, {"protocol": "HTTPS", "certificateArn": "arn:c"}, None),
    (elbv2._listener_certificate, {"protocol": None}, None),
    (elbv2._health_check_port, "traffic-port", None),
    (elbv2._health_check_port, "1", None),
    (elbv2._health_check_port, "65536", None),
    *[(elbv2._health_check_port, port, '"port" must be a valid port number (1-65536) or "traffic-port"')
      for port in ("0", "65537", "-1", 80, "http", "80-", " 80", "X80")],
    (elbv2._matcher, "200,202-204,499", None),
    (elbv2._matcher, "", "must be HTTP codes such as 200, 200,202 or 200-299"),
    (elbv2._matcher, 200, "must be HTTP codes such as 200, 200,202 or 200-299"),
    (elbv2._matcher, "200,2xx", "'2xx' is not an HTTP code or range"),
    (elbv2._matcher, "199", "'199': HTTP codes for an ALB health check lie between 200 and 499"),
    (elbv2._matcher, "200-500", "'200-500': HTTP codes for an ALB health check lie between 200 and 499"),
    (elbv2._matcher, "300-299", "'300-299': HTTP codes for an ALB health check lie between 200 and 499"),
    (elbv2._timeout_below_interval, {"timeout": 4.0, "interval": 5.0}, None),
    (elbv2._timeout_below_interval, {"timeout": 6.5, "interval": 5.0}, "timeout 6 must be smaller than interval 5"),
    (elbv2._timeout_below_interval, {"timeout": 6.0}, None),
    (elbv2._timeout_below_interval, {"interval": 6.0}, None),
    *[(elbv2._tcp_health_check, {"protocol": "TCP", "healthCheck": {"protocol": "tcp", key: "x"}},
       f'Attribute "health_check[0].{key}" cannot be specified when "health_check[0].protocol" is "TCP".')
      for key in ("matcher", "path")],
    (elbv2._tcp_health_check, {"protocol": "https", "healthCheck": {"protocol": "TCP", "matcher": ""}},
     'Attribute "health_check[0].protocol" cannot have value "TCP" when "protocol" is "HTTPS".'),
    (elbv2._tcp_health_check, {"protocol": "HTTP", "healthCheck": {"protocol": "TCP"}},
     'Attribute "health_check[0].protocol" cannot have value "TCP" when "protocol" is "HTTP".'),
    (elbv2._tcp_health_check, {"protocol": "TCP", "healthCheck": {"protocol": "TCP"}}, None),
    (elbv2._tcp_health_check, {"protocol": "HTTP", "healthCheck": {"protocol": "HTTP", "path": "/health"}}, None),
    (elbv2._tcp_health_check, {"protocol": "HTTP", "healthCheck": None}, None),
    (elbv2._not_lambda_needs, {"targetType": "lambda"}, None),
    (elbv2._not_lambda_needs, {"port": 80, "protocol": "HTTP", "vpcId": "vpc-1"}, None),
    (elbv2._not_lambda_needs, {}, 'Attribute "port" must be specified when "target_type" is "instance".'),
    (elbv2._not_lambda_needs, {"targetType": "ip", "port": 80},
     'Attribute "protocol" must be specified when "target_type" is "ip".'),
    (elbv2._not_lambda_needs, {"targetType": "ip", "port": 80, "protocol": "HTTP"},
     'Attribute "vpc_id" must be specified when "target_type" is "ip".'),
    # --- ec2 --------------------------------------------------------------------------------------------------
    (ec2.ipv4_cidr_problem, "10.0.0.0/16", None),
    (ec2.ipv4_cidr_problem, 16, "must be a string, not int"),
    (ec2.ipv4_cidr_problem, "ten", "'ten' is not a valid CIDR block"),
    (ec2.ipv4_cidr_problem, "fd00::/56", "'fd00::/56' is not a valid IPv4 CIDR block"),
    (ec2.ipv4_cidr_problem, "10.0.0.0", "'10.0.0.0' is not a valid IPv4 CIDR block"),
    (ec2.ipv4_cidr_problem, "10.0.1.0/16", "'10.0.1.0/16' is not a valid IPv4 CIDR block; did you mean "
                                           "'10.0.0.0/16'?"),
    (made(ec2._netmask_between, 16, 28), "10.0.0.0/16", None),
    (made(ec2._netmask_between, 16, 28), "10.0.0.0/28", None),
    (made(ec2._netmask_between, 16, 28), "10.0.0.0/15",
     "'10.0.0.0/15' has netmask /15; the allowed block size is between a /16 and a /28 netmask"),
    (ec2.arn_problem, "arn:aws:logs:us-east-1:123456789012:log-group:x", None),
    (ec2.arn_problem, 3, "3 is an invalid ARN"),
    (ec2._ports_in_order, {"ipProtocol": "TCP", "fromPort": 443.0, "toPort": 443.0}, None),
    *[(ec2._ports_in_order, {"ipProtocol": protocol, "fromPort": 53.0}, "tcp and udp rules need both fromPort and "
                                                                        "toPort") for protocol in ("udp", "6", "17")],
    (ec2._ports_in_order, {"ipProtocol": "tcp", "toPort": 53.0}, "tcp and udp rules need both fromPort and toPort"),
    (ec2._ports_in_order, {"ipProtocol": "tcp", "fromPort": 8082.0, "toPort": 8080.0},
     "fromPort 8082 is above toPort 8080"),
    (ec2._ports_in_order, {"fromPort": 8082.0}, None),
    (ec2._ports_in_order, {"ipProtocol": "icmp", "fromPort": 8.0}, None),
    (ec2._ports_in_order, ["tcp"], None),
    (ec2._endpoint_arguments, {"routeTableIds": ["rtb-1"], "subnetIds": [], "securityGroupIds": {},
                               "privateDnsEnabled": False}, None),
    (ec2._endpoint_arguments, {"vpcEndpointType": "Gateway", "subnetIds": ["s"], "securityGroupIds": ["sg"],
                               "privateDnsEnabled": True},
     "a Gateway endpoint takes routeTableIds only; remove subnetIds, securityGroupIds, privateDnsEnabled"),
    (ec2._endpoint_arguments, {"securityGroupIds": ["sg"]},
     "a Gateway endpoint takes routeTableIds only; remove securityGroupIds"),
    (ec2._endpoint_arguments, {"privateDnsEnabled": True},
     "a Gateway endpoint takes routeTableIds only; remove privateDnsEnabled"),
    (ec2._endpoint_arguments, {"vpcEndpointType": "Interface", "routeTableIds": ["rtb-1"]},
     "an Interface endpoint takes subnetIds and securityGroupIds, not routeTableIds"),
    (ec2._endpoint_arguments, {"vpcEndpointType": "Interface", "routeTableIds": "", "subnetIds": ["s"],
                               "privateDnsEnabled": True}, None),
    (ec2._endpoint_arguments, {"vpcEndpointType": "GatewayLoadBalancer", "routeTableIds": ["rtb-1"]}, None),
    (ec2._nat_allocation, {"connectivityType": "private", "allocationId": "eipalloc-1"},
     'allocation_id is not supported with connectivity_type = "private"'),
    (ec2._nat_allocation, {"connectivityType": "private"}, None),
    (ec2._nat_allocation, {}, "a public zonal NAT gateway needs allocationId (an Elastic IP)"),
    (ec2._nat_allocation, {"connectivityType": "public", "allocationId": ""},
     "a public zonal NAT gateway needs allocationId (an Elastic IP)"),
    (ec2._nat_allocation, {"availabilityMode": "regional"}, None),
    (ec2._nat_allocation, {"availabilityMode": "zonal", "allocationId": "eipalloc-1"}, None),
    (ec2._flow_log_destination, {"logDestinationType": "s3"}, None),
    (ec2._flow_log_destination, {"logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:vpc/flow"},
     "delivery to cloud-watch-logs needs iamRoleArn (DeliverLogsPermissionArn)"),
    (ec2._flow_log_destination, {"logDestinationType": "cloud-watch-logs", "iamRoleArn": "arn:r",
                                 "logDestination": "arn:aws:logs:us-east-1:123456789012:log-group:vpc/flow:*"}, None),
    (ec2._flow_log_destination, {"iamRoleArn": "arn:r", "logDestination": "arn:aws:s3:::bucket"},
     "logDestination 'arn:aws:s3:::bucket' is not a CloudWatch Logs log group ARN"),
    (ec2._flow_log_destination, {"iamRoleArn": "arn:r"}, None),
    # --- cloudwatch -------------------------------------------------------------------------------------------
    (cloudwatch._retention_problem, 0, None),
    (cloudwatch._retention_problem, 3653.0, None),
    *[(cloudwatch._retention_problem, value, f"is {value!r}; it must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, "
                                             "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, "
                                             "3653") for value in (2, True, "30")],
    (made(cloudwatch._period_problem, (10, 30)), 10, None),
    (made(cloudwatch._period_problem, (10, 30)), 120.0, None),
    *[(made(cloudwatch._period_problem, (10, 30)), value,
       f"is {value!r}; it must be one of [10, 30] or a multiple of 60")
      for value in (20, 90, 0, -60, 60.5, True, "60")],
    (cloudwatch._stat_problem, "Average", None),
    (cloudwatch._stat_problem, "p99.9", None),
    (cloudwatch._stat_problem, "TM(10%:90%)", None),
    *[(cloudwatch._stat_problem, value, "invalid statistic, see: https://docs.aws.amazon.com/AmazonCloudWatch/"
                                        "latest/monitoring/Statistics-definitions.html") for value in ("average", 5)],
    (cloudwatch._expression_xor_metric, {"expression": "a + b", "metric": {"metricName": "x"}},
     "No metric_query may have both `expression` and a `metric` specified"),
    (cloudwatch._expression_xor_metric, {"expression": "a + b", "metric": None}, None),
    (cloudwatch._expression_xor_metric, {"expression": "", "metric": {"metricName": "x"}}, None),
    (cloudwatch._one_returns_data, [{"id": "a", "returnData": True}, {"id": "b"}, "junk"], None),
    (cloudwatch._one_returns_data, [{"id": "a", "returnData": True}, {"id": "b", "returnData": True}],
     "exactly one metric query must set returnData=true, not 2 (['a', 'b'])"),
    (cloudwatch._one_returns_data, [{"id": "a", "returnData": False}],
     "exactly one metric query must set returnData=true, not 0 ([])"),
    (cloudwatch._datapoints_within_periods, {"datapointsToAlarm": 3.0, "evaluationPeriods": 2.5},
     "datapointsToAlarm 3 exceeds evaluationPeriods 2.5"),
    (cloudwatch._datapoints_within_periods, {"datapointsToAlarm": 3.0, "evaluationPeriods": 3.0}, None),
    (cloudwatch._datapoints_within_periods, {"datapointsToAlarm": 3.0, "evaluationPeriods": "2"}, None),
    (cloudwatch._datapoints_within_periods, {"datapointsToAlarm": "3", "evaluationPeriods": 2.0}, None),
    (made(cloudwatch._at_most, 2), ["a", "b"], None),
    (made(cloudwatch._at_most, 2), ["a", "b", "c"], "has 3 items; at most 2 are allowed"),
    (made(cloudwatch._at_most, 2), "abc", None),
    # --- appautoscaling ---------------------------------------------------------------------------------------
    (appautoscaling._min_max, {"minCapacity": 3.0, "maxCapacity": 2.0}, "minCapacity 3 is above maxCapacity 2"),
    (appautoscaling._min_max, {"minCapacity": 2.0, "maxCapacity": 2.0}, None),
    (appautoscaling._min_max, {"minCapacity": 3.0}, None),
    (appautoscaling._min_max, {"maxCapacity": 2.0}, None),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs", "scalableDimension": "ecs:service:Count"},
     "the ECS dimension is ecs:service:DesiredCount, not 'ecs:service:Count'"),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs", "resourceId": "cluster/svc"},
     "an ECS resourceId is service/<cluster>/<service>, not 'cluster/svc'"),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs", "resourceId": "service/c/" + "s" * 256},
     f"an ECS resourceId is service/<cluster>/<service>, not {'service/c/' + 's' * 256!r}"),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount",
                                  "resourceId": f"service/{'c' * 255}/s_s-1"}, None),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs"}, None),
    (appautoscaling._ecs_target, {"serviceNamespace": "ecs", "resourceId": "service/Cluster-Dev/Svc_1"}, None),
    (appautoscaling._ecs_target, {"serviceNamespace": "dynamodb", "scalableDimension": "x", "resourceId": "t"}, None),
    (appautoscaling._ecs_target, "service/c/s", None),
    (appautoscaling._alb_label, {"predefinedMetricType": "ALBRequestCountPerTarget"},
     "ALBRequestCountPerTarget needs resourceLabel (app/<lb>/<id>/targetgroup/<tg>/<id>)"),
    (appautoscaling._alb_label, {"predefinedMetricType": "ALBRequestCountPerTarget", "resourceLabel": ""},
     "ALBRequestCountPerTarget needs resourceLabel (app/<lb>/<id>/targetgroup/<tg>/<id>)"),
    (appautoscaling._alb_label, {"predefinedMetricType": "ALBRequestCountPerTarget",
                                 "resourceLabel": "app/alb/1/targetgroup/tg/2"}, None),
    (appautoscaling._alb_label, {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}, None),
    *[(appautoscaling.schedule_problem, f"cron({body})", expected) for body, expected in (
        ("0 9 ? * MON-FRI *", None),
        ("0,15-30/5 */1 L JAN-MAR ? 1970-2199", None),
        ("0 9 15W,L * ? *", None),
        ("0 9 ? 12 6L,MON#2 *", None),
        ("0 9 31 1 ? 2026", None),
        ("0 9 ? * 1,7 *", None),
        ("XXXX 9 ? * MON *", "minutes field 'XXXX' must be 0-59 with , - * /"),
        ("0 9 L,32 * ? *", "day-of-month field 'L,32' must be 1-31 with , - * ? / L W"),
        ("59 23 1 12 ? *", None),
        ("0 9 ? * MON", "cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not 5"),
        ("60 9 ? * MON *", "minutes field '60' must be 0-59 with , - * /"),
        ("0-60 9 ? * MON *", "minutes field '0-60' must be 0-59 with , - * /"),
        ("*/0 9 ? * MON *", "minutes field '*/0' must be 0-59 with , - * /"),
        ("12345 9 ? * MON *", "minutes field '12345' must be 0-59 with , - * /"),
        ("5- 9 ? * MON *", "minutes field '5-' must be 0-59 with , - * /"),
        ("0 24 ? * MON *", "hours field '24' must be 0-23 with , - * /"),
        ("0 9 0 * ? *", "day-of-month field '0' must be 1-31 with , - * ? / L W"),
        ("0 9 1 13 ? *", "month field '13' must be 1-12 or JAN-DEC with , - * /"),
        ("0 9 1 0 ? *", "month field '0' must be 1-12 or JAN-DEC with , - * /"),
        ("0 9 ? * 8 *", "day-of-week field '8' must be 1-7 or SUN-SAT with , - * ? L #"),
        ("0 9 ? * 0 *", "day-of-week field '0' must be 1-7 or SUN-SAT with , - * ? L #"),
        ("0 9 ? * MON 2200", "year field '2200' must be 1970-2199 with , - * /"),
        ("0 9 ? * MON 1969", "year field '1969' must be 1970-2199 with , - * /"),
        ("0 9 ? * ? *", "exactly one of day-of-month and day-of-week must be ? (you cannot specify both)"),
        ("0 9 1 * MON *", "exactly one of day-of-month and day-of-week must be ? (you cannot specify both)"))],
    (appautoscaling.schedule_problem, 5, "must be a string"),
    (appautoscaling.schedule_problem, "every day", "must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)"),
    (appautoscaling.schedule_problem, "at(2026-12-31T23:59:59)", None),
    (appautoscaling.schedule_problem, "at(2026-13-01T09:00:00)", "at(2026-13-01T09:00:00) must be "
                                                                 "at(yyyy-mm-ddThh:mm:ss)"),
    (appautoscaling.schedule_problem, "rate(1 day)", None),
    (appautoscaling.schedule_problem, "rate(15 minutes)", None),
    (appautoscaling.schedule_problem, "rate(0 minutes)",
     "rate(0 minutes) must be rate(<positive integer> minute|minutes|hour|hours|day|days)"),
    *[(appautoscaling._timezone, zone, None) for zone in ("UTC", "GMT", "America/New_York",
                                                         "America/Argentina/Buenos_Aires", "Etc/GMT+9")],
    *[(appautoscaling._timezone, zone, f"{zone!r} is not an IANA time zone name such as America/New_York or "
                                       "Etc/GMT+9") for zone in ("utc", "Europe", "A/B/C/D", "europe/Paris")],
    (appautoscaling._timezone, None, "must be a string"),
    # --- ecr: the lifecycle policy, rule by rule ---------------------------------------------------------------
    (ecr._rules_of, json.dumps({"rules": [{"rulePriority": 1}]}), [{"rulePriority": 1}]),
    (ecr._rules_of, {"rules": [{"rulePriority": 1}]}, [{"rulePriority": 1}]),
    (ecr._rules_of, json.dumps({"rules": {"rulePriority": 1}}), None),
    (ecr._policy_json, "{", "is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
                            "(char 1)"),
    (ecr._policy_json, "[]", "must be a JSON object with a rules list"),
    (ecr._policy_json, {"rules": [{}]}, "must be a JSON object with a rules list"),
    *[(ecr._policy_json, text, "must have a non-empty rules list of objects")
      for text in ("{}", '{"rules": []}', '{"rules": {"a": 1}}', '{"rules": [{}, "x"]}')],
    (ecr._policy_json, ecr._doc(ecr._r(1, "any")), None),
    (ecr._priorities, ecr._doc(ecr._r(1, "untagged"), ecr._r(2, "any")), None),
    *[(ecr._priorities, ecr._doc({**ecr._r(1, "any"), "rulePriority": priority}),
       f"rulePriority {priority!r} must be a positive integer") for priority in (0, True, 1.0, "1")],
    (ecr._priorities, ecr._doc({"selection": {}}), "rulePriority None must be a positive integer"),
    (ecr._priorities, ecr._doc(ecr._r(2, "untagged"), ecr._r(1, "tagged"), ecr._r(2, "tagged"), ecr._r(1, "any"),
                               ecr._r(3, "any")), "rulePriority must be unique; repeated: 1, 2"),
    (ecr._priorities, ecr._doc(ecr._r(2, "any"), ecr._r(3, "untagged")),
     "the rule with tagStatus any must have the highest rulePriority"),
    (ecr._priorities, ecr._doc(ecr._r(2, "any"), {"rulePriority": 3}),
     "the rule with tagStatus any must have the highest rulePriority"),
    (ecr._priorities, ecr._doc(ecr._r(2, "any"), ecr._r(3, "any")),
     "only one rule may have tagStatus any (it must have the highest rulePriority)"),
    *[(ecr._selection, ecr._doc(ecr._r(1, "untagged"), rule), expected) for rule, expected in (
        (ecr._r(2, "tagged", tagPatternList=["v*"]), None),
        (ecr._r(2, "tagged", tagPrefixList=["release"]), None),
        (ecr._r(2, "tagged", "imageCountMoreThan", 30, tagPatternList=["*a*b*c*d"]), None),
        (ecr._r(2, "any", "sinceImagePulled", 1), None),
        (ecr._r(2, "any", "sinceImageTransitioned"), None),
        ({"rulePriority": 2, "selection": "any"}, "rule 2: selection is required"),
        (ecr._r(2, "TAGGED"), "rule 2: tagStatus 'TAGGED' must be tagged, untagged or any"),
        (ecr._r(2, "tagged", tagPatternList=[]), "rule 2: tagStatus tagged needs tagPrefixList or tagPatternList"),
        (ecr._r(2, "untagged", tagPrefixList=["v"], tagPatternList=["v*"]),
         "rule 2: tagStatus untagged must omit tagPrefixList and tagPatternList"),
        (ecr._r(2, "untagged", tagPatternList=["v*"]), "rule 2: tagStatus untagged must omit tagPatternList"),
        (ecr._r(2, "tagged", tagPatternList=["v*", "*a*b*c*d*e"]),
         "rule 2: tag pattern '*a*b*c*d*e' has more than four wildcards"),
        (ecr._r(2, "tagged", tagPatternList=[7]), "rule 2: tag pattern 7 has more than four wildcards"),
        (ecr._r(2, "any", "imageCountLessThan"),
         "rule 2: countType 'imageCountLessThan' is not imageCountMoreThan or sinceImagePushed"),
        *[(ecr._r(2, "any", number=number), f"rule 2: countNumber {number!r} must be a positive integer")
          for number in (0, True, 1.5, None)],
        (ecr._r(2, "any", "imageCountMoreThan", countUnit="days"),
         "rule 2: countUnit must not be set with countType imageCountMoreThan"),
        (ecr._r(2, "any", countUnit="hours"), "rule 2: countType sinceImagePushed needs countUnit days"),
        ({**ecr._r(2, "any"), "action": {"type": "delete"}}, "rule 2: action.type must be expire or transition"),
        ({**ecr._r(2, "any"), "action": "expire"}, "rule 2: action.type must be expire or transition"),
        ({**ecr._r(2, "any"), "action": {"type": "transition"}}, None))],
    # --- iam ----------------------------------------------------------------------------------------------------
    (iam_rules.policy_document_problem, '{"Version": "2012-10-17", "Statement": []}', None),
    (iam_rules.policy_document_problem, "", "is an empty string, which is not a valid JSON value"),
    (iam_rules.policy_document_problem, None, "is an empty string, which is not a valid JSON value"),
    *[(iam_rules.policy_document_problem, text, "contains an invalid JSON policy: leading space characters are not "
                                                "allowed") for text in (" {}", "\t{}", "\r{}", "\n{}")],
    (iam_rules.policy_document_problem, '"{}"',
     "contains an invalid JSON policy: contains a JSON-encoded string, not a JSON-encoded object"),
    (iam_rules.policy_document_problem, "[{}]",
     "contains an invalid JSON policy: contains a JSON array, not a JSON object"),
    (iam_rules.policy_document_problem, '{"a": 1, "b": {"c": 1, "c": 2}, "a": 3, "d": 1, "d": 2}',
     "contains an invalid JSON policy: duplicate JSON keys: c"),
    (iam_rules.policy_document_problem, '{"a": 1, "a": 3, "d": 1, "d": 2}',
     "contains an invalid JSON policy: duplicate JSON keys: a, d"),
    (iam_rules.policy_document_problem, "{",
     "contains an invalid JSON policy: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    (iam_rules.json_object_problem, '{"a": [1]}', None),
    (iam_rules.json_object_problem, "{", "contains an invalid JSON: Expecting property name enclosed in double "
                                         "quotes: line 1 column 2 (char 1)"),
    (iam_rules.json_object_problem, None, "contains an invalid JSON: the JSON object must be str, bytes or "
                                          "bytearray, not NoneType"),
    (iam_rules.arn_problem, "", None),
    (iam_rules.arn_problem, "arn:aws-us-gov:iam::123456789012:role/r", None),
    (iam_rules.arn_problem, "arn:aws:sns:us-east-1:aws:topic", None),
    (iam_rules.arn_problem, "arn:aws:logs:us-east-1:cw1234567890:x", None),
    (iam_rules.arn_problem, "arn:aws:iam::aws-managed:policy/P", None),
    (iam_rules.arn_problem, 5, "must be a string"),
    (iam_rules.arn_problem, "arn:aws:logs:us-east-1:123456789012:log-group:svc:*", None),  # ':' in the resource
    (iam_rules.policy_document_problem, "X{}", "contains an invalid JSON policy: not a JSON object"),
    (made(lambda limit: iam_rules.policy_size(limit, "a role policy").problem, 0), None, None),  # not text: size 0
    (iam_rules.arn_problem, "aws:iam::123456789012:role/r", "(aws:iam::123456789012:role/r) is an invalid ARN: arn: "
                                                            "invalid prefix"),
    (iam_rules.arn_problem, "arn:aws:iam::123456789012", "(arn:aws:iam::123456789012) is an invalid ARN: arn: "
                                                         "not enough sections"),
    (iam_rules.arn_problem, "arn:aws:iam::12345678901:role/r", "(arn:aws:iam::12345678901:role/r) is an invalid "
                                                               "ARN: invalid account ID value"),
    (iam_rules.arn_problem, "arn:aws:iam::123456789012:", "(arn:aws:iam::123456789012:) is an invalid ARN: missing "
                                                          "resource value"),
    (made(lambda limit: iam_rules.policy_size(limit, "a role policy").problem, 5), "{ a b c }", None),
    (made(lambda limit: iam_rules.policy_size(limit, "a role policy").problem, 5), "{abcde}",
     "is 7 characters without white space; a role policy is limited to 5"),
    (made(lambda limit: iam_rules.policy_size(limit, "a role policy").problem, 5), None, None),
    # --- s3 -----------------------------------------------------------------------------------------------------
    (s3._ip_address, "192.168.1.10", "must not be formatted as an IP address"),
    (s3._ip_address, "s3-192.168.1.10", None),
    (s3._ip_address, 19216811, None),
    (s3._kms_key_needs_kms, {"kmsMasterKeyId": "arn:k", "sseAlgorithm": "AES256"},
     "kmsMasterKeyId is allowed only when sseAlgorithm is aws:kms or aws:kms:dsse"),
    (s3._kms_key_needs_kms, {"kmsMasterKeyId": "arn:k", "sseAlgorithm": "aws:kms"}, None),
    (s3._kms_key_needs_kms, {"kmsMasterKeyId": "arn:k", "sseAlgorithm": "aws:kms:dsse"}, None),
    (s3._kms_key_needs_kms, {"kmsMasterKeyId": "", "sseAlgorithm": "AES256"}, None),
    (s3._kms_key_needs_kms, ["arn:k"], None),
    # --- sns, sqs, secretsmanager, dynamodb, servicediscovery, random ----------------------------------------
    (sns._topic_name_problem, {"name": "t" * 256}, None),
    (sns._topic_name_problem, {"name": "t" * 257}, f"invalid topic name: {'t' * 257}"),
    (sns._topic_name_problem, {"name": "sns-alarms.fifo"}, "invalid topic name: sns-alarms.fifo"),
    (sns._topic_name_problem, {"name": "t" * 251 + ".fifo", "fifoTopic": True}, None),
    (sns._topic_name_problem, {"name": "t" * 252 + ".fifo", "fifoTopic": True},
     f"invalid topic name: {'t' * 252}.fifo"),
    (sns._topic_name_problem, {"name": "sns-alarms", "fifoTopic": True}, "invalid topic name: sns-alarms"),
    (sns._endpoint_problem, {"protocol": "email-json", "endpoint": "ops@example.com"}, None),
    (sns._endpoint_problem, {"protocol": "email", "endpoint": "ops@example"},
     "endpoint 'ops@example' must be an email address for protocol email"),
    (sns._endpoint_problem, {"protocol": "email-json", "endpoint": "ops example.com"},
     "endpoint 'ops example.com' must be an email address for protocol email-json"),
    (sns._endpoint_problem, {"protocol": "https", "endpoint": "https://hooks.example.com"}, None),
    (sns._endpoint_problem, {"protocol": "https", "endpoint": "http://hooks.example.com"},
     "endpoint 'http://hooks.example.com' must be a URL beginning with https://"),
    (sns._endpoint_problem, {"protocol": "http", "endpoint": "hooks.example.com"},
     "endpoint 'hooks.example.com' must be a URL beginning with http://"),
    *[(sns._endpoint_problem, {"protocol": protocol, "endpoint": "queue"},
       f"endpoint 'queue' must be an ARN for protocol {protocol}")
      for protocol in ("sqs", "lambda", "firehose", "application")],
    (sns._endpoint_problem, {"protocol": "sqs", "endpoint": "arn:aws:sqs:us-east-1:123456789012:q"}, None),
    (sns._endpoint_problem, {"protocol": "sms", "endpoint": "+123456"}, None),
    (sns._endpoint_problem, {"protocol": "sms", "endpoint": "123456789012345"}, None),
    *[(sns._endpoint_problem, {"protocol": "sms", "endpoint": number},
       f"endpoint {number!r} must be a phone number for protocol sms") for number in ("12345", "1234567890123456",
                                                                                     "+1 555 0100")],
    (sns._endpoint_problem, {"protocol": "application-x", "endpoint": "anything"}, None),
    (sqs._queue_name_problem, {"name": "q" * 80}, None),
    (sqs._queue_name_problem, {"name": "q" * 81}, f"invalid queue name: {'q' * 81}"),
    (sqs._queue_name_problem, {"name": "q" * 75 + ".fifo", "fifoQueue": True}, None),
    (sqs._queue_name_problem, {"name": "q" * 76 + ".fifo", "fifoQueue": True}, f"invalid queue name: {'q' * 76}.fifo"),
    (sqs._queue_name_problem, {"name": "orders.fifo"}, "invalid queue name: orders.fifo"),
    (sqs._queue_name_problem, {"name": "orders", "fifoQueue": True}, "invalid queue name: orders"),
    (sns._topic_name_problem, {"name": "Alarms_T-1"}, None),
    (sns._topic_name_problem, {"name": "Alarms_T-1.fifo", "fifoTopic": True}, None),
    (sqs._queue_name_problem, {"name": "Orders_Q-1"}, None),
    (sqs._queue_name_problem, {"name": "Orders_Q-1.fifo", "fifoQueue": True}, None),
    (sqs._redrive_problem, sqs._redrive(1), None),
    (sqs._redrive_problem, json.dumps({"deadLetterTargetArn": "queue:sqs:dlq", "maxReceiveCount": 5}),
     "deadLetterTargetArn 'queue:sqs:dlq' must be the ARN of an SQS queue"),
    (sqs._redrive_problem, sqs._redrive("1000"), None),
    (sqs._redrive_problem, "{", "contains an invalid JSON: Expecting property name enclosed in double quotes: line 1 "
                                "column 2 (char 1)"),
    (sqs._redrive_problem, "[]", "must be a JSON object"),
    *[(sqs._redrive_problem, sqs._redrive(count), f"maxReceiveCount {count!r} must be within 1..1000")
      for count in (0, 1001, "0", "ten", True, 1.5, None)],
    *[(sqs._redrive_problem, sqs._redrive(5, target), f"deadLetterTargetArn {target!r} must be the ARN of an SQS queue")
      for target in ("sqs-orders-dlq", "arn:aws:sns:us-east-1:123456789012:t")],
    (sqs._redrive_problem, json.dumps({"deadLetterTargetArn": 5, "maxReceiveCount": 5}),
     "deadLetterTargetArn 5 must be the ARN of an SQS queue"),
    (sqs._redrive_problem, json.dumps({"maxReceiveCount": 5}), "deadLetterTargetArn None must be the ARN of an SQS "
                                                               "queue"),
    *[(secretsmanager._recovery_window_problem, value, None) for value in (0, 7, 30, 7.0)],
    *[(secretsmanager._recovery_window_problem, value, f"is {value!r}; it must be 0 (delete at once) or within 7..30")
      for value in (6, 31, 1, -1, 7.5, True, "7")],
    (dynamodb._attributes_problem, {"hashKey": "id", "rangeKey": "at", "attributes": [
        {"name": "id", "type": "S"}, {"name": "at", "type": "N"}, {"name": "sym", "type": "S"},
        {"name": "px", "type": "N"}, {"name": "qty", "type": "N"}, "junk"],
        "globalSecondaryIndexes": [{"name": "by-sym", "hashKey": "sym", "rangeKey": "px"}],
        "localSecondaryIndexes": [{"name": "by-qty", "rangeKey": "qty"}]}, None),
    (dynamodb._attributes_problem, {"hashKey": "id", "attributes": [{"name": "id"}, {"name": "z"}, {"name": "b"}],
                                    "globalSecondaryIndexes": [{"hashKey": "g2", "rangeKey": "g1"}]},
     "all attributes must be indexed. Unused attributes: ['b', 'z']; all indexes must match a defined attribute. "
     "Unmatched indexes: ['g1', 'g2']"),
    (dynamodb._attributes_problem, {"hashKey": "id", "attributes": [{"name": "id"}, {"name": "x"}]},
     "all attributes must be indexed. Unused attributes: ['x']"),
    (dynamodb._ttl_problem, {"enabled": True, "attributeName": ""},
     "TTL attributeName must be set when TTL is enabled"),
    (dynamodb._ttl_problem, {"enabled": True, "attributeName": "expiresAt"}, None),
    (dynamodb._ttl_problem, {"enabled": False}, None),
    (dynamodb._ttl_problem, "enabled", None),
    (servicediscovery._cname_routing, {"dnsRecords": [{"type": "CNAME"}], "routingPolicy": "MULTIVALUE"},
     "CNAME records need routingPolicy WEIGHTED"),
    (servicediscovery._cname_routing, {"dnsRecords": [{"type": "CNAME"}, "junk", {"type": "A"}],
                                       "routingPolicy": "WEIGHTED"},
     "a CNAME record cannot be combined with other records"),
    (servicediscovery._cname_routing, {"dnsRecords": [{"type": "CNAME"}], "routingPolicy": "WEIGHTED"}, None),
    (servicediscovery._cname_routing, {"dnsRecords": [{"type": "A"}, {"type": "SRV"}], "routingPolicy": "MULTIVALUE"},
     None),
    (random._length_covers_minimums, {"length": 7.0, "minLower": 2.0, "minUpper": 2.0, "minNumeric": 2.0,
                                      "minSpecial": 2.0}, "length 7 is less than the sum of the minimums (8)"),
    (random._length_covers_minimums, {"length": 8.0, "minLower": 2.0, "minUpper": 2.0, "minNumeric": 2.0,
                                      "minSpecial": 2.0}, None),
    (random._length_covers_minimums, {"length": 0.5, "minLower": None, "minSpecial": 1.0},
     "length 0.5 is less than the sum of the minimums (1)"),
    (random._length_covers_minimums, {"length": "7", "minLower": 8.0}, None),
    # The tag messages name every offending key, sorted (a long key cut to 40 characters), before the reserved
    # prefix is looked at.
    (tags.key_problem, {"z" * 129: "v", "": "v", "aws:a": "x"},
     f"tag keys must be 1..128 characters: '', {'z' * 40!r}"),
    (tags.key_problem, {"aws:b": "x", "AWS:a": "y", "Name": "n"},
     "tag keys may not begin with 'aws:' (reserved): AWS:a, aws:b"),
    (tags.value_problem, {"b": "v" * 257, "a": "v" * 300, "c": "v" * 256, "n": 7},
     "tag values must be at most 256 characters: a, b"),
]


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function)).replace(".<locals>.", ":")


@pytest.mark.parametrize(("function", "value", "expected"), FUNCTION_CASES,
                         ids=[f"{_name(f)}-{i}" for i, (f, _, _) in enumerate(FUNCTION_CASES)])
def test_rule_function_branch(function, value, expected):
    assert function(value) == expected


def _rule(rule_id: str) -> Rule:
    rules = [rule for resource in RULES.values() for rule in resource.rules] + list(COMMON_RULES)
    return next(rule for rule in rules if rule.id == rule_id)


_TABLE = {"hashKey": "tradeId", "attributes": [{"name": "tradeId", "type": "S"}]}

BAD_EXAMPLE_CASES: list[tuple[str, Any, str]] = [
    ("appautoscaling.scheduled-action.schedule.form", "cron(9am 9 ? * MON *)",
     "minutes field '9am' must be 0-59 with , - * /"),
    ("appautoscaling.scheduled-action.schedule.form", "cron(0/0 9 ? * MON *)",
     "minutes field '0/0' must be 0-59 with , - * /"),
    ("appautoscaling.scheduled-action.schedule.form", "cron(0 9 32 * ? *)",
     "day-of-month field '32' must be 1-31 with , - * ? / L W"),
    ("appautoscaling.scheduled-action.schedule.form", 5.0, "must be a string"),
    ("appautoscaling.scheduled-action.timezone.iana", -5.0, "must be a string"),
    ("dynamodb.table.attributes.indexed", {"hashKey": "tradeId"},
     "all indexes must match a defined attribute. Unmatched indexes: ['tradeId']"),
    ("dynamodb.table.attributes.indexed", {**_TABLE, "globalSecondaryIndexes": [{"name": "by-symbol",
                                                                                 "hashKey": "symbol"}]},
     "all indexes must match a defined attribute. Unmatched indexes: ['symbol']"),
    ("dynamodb.table.attributes.indexed",
     {**_TABLE, "rangeKey": "tradedAt", "attributes": [{"name": "tradeId", "type": "S"},
                                                        {"name": "tradedAt", "type": "N"}],
      "localSecondaryIndexes": [{"name": "by-price", "rangeKey": "price"}]},
     "all indexes must match a defined attribute. Unmatched indexes: ['price']"),
    ("ec2.vpc.cidr-block.network-address", 16.0, "must be a string, not float"),
    ("ecr.lifecycle-policy.selection.valid", ecr._doc({"rulePriority": 1, "action": {"type": "expire"}}),
     "rule 1: selection is required"),
    ("ecr.lifecycle-policy.selection.valid", ecr._doc({**ecr._r(1, "any"), "action": {"type": "delete"}}),
     "rule 1: action.type must be expire or transition"),
    ("ecs.task-definition.container-definitions.json", [{"name": "app", "image": "nginx:1"}],
     "must be a JSON string"),
    ("ecs.task-definition.container-definitions.json", json.dumps(["app"]), "container 0 is not an object"),
    ("ecs.task-definition.container-definitions.json", json.dumps([{"name": "app", "environment": ["A=1"]}]),
     "json: cannot unmarshal into Go struct field ContainerDefinition.Environment of type []types.KeyValuePair"),
    ("iam.role-policy.policy.json", "null", "contains an invalid JSON policy: not a JSON object"),
    ("iam.role-policy-attachment.policy-arn.arn", "arn:amazon:iam::aws:policy/P",
     "(arn:amazon:iam::aws:policy/P) is an invalid ARN: invalid partition value"),
    ("iam.role-policy-attachment.policy-arn.arn", "arn:aws:iam:us-east:123456789012:policy/p",
     "(arn:aws:iam:us-east:123456789012:policy/p) is an invalid ARN: invalid region value"),
    ("iam.role-policy-attachment.policy-arn.arn", 1.0, "must be a string"),
]


@pytest.mark.parametrize(("rule_id", "value", "expected"), BAD_EXAMPLE_CASES,
                         ids=[f"{rule_id}-{i}" for i, (rule_id, _, _) in enumerate(BAD_EXAMPLE_CASES)])
def test_bad_example_is_refused_for_its_reason(rule_id, value, expected):
    rule = _rule(rule_id)
    assert value in rule.bad, f"{rule_id}: {value!r} is not one of its bad examples"
    assert rule.constraint.problem(value) == expected


@pytest.mark.parametrize(("rule_id", "value"), [
    ("dynamodb.table.server-side-encryption.kms-key-arn.arn", ""),  # verify.ValidARN accepts "" (AWS-owned key)
    ("sns.topic-subscription.endpoint.form", {"protocol": "email", "endpoint": MASKED}),
    ("sns.topic.name.fifo-suffix", {"namePrefix": "sns-alarms-"}),
    ("sqs.queue.name.fifo-suffix", {"namePrefix": "sqs-orders-"}),
    ("cloudwatch.metric-alarm.metric-queries.one-returns-data", []),
    ("ecs.task-definition.container-definitions.health-check", ecs._cd()),
])
def test_ok_example_is_accepted(rule_id, value):
    rule = _rule(rule_id)
    assert value in rule.ok and rule.constraint.problem(value) is None


def test_a_resource_type_declared_twice_is_refused(monkeypatch):
    monkeypatch.setattr(aws_rules, "_MODULES", (sqs, sqs))
    declared_twice = r"rules for aws:sqs/queue:Queue are declared twice \(shared\.aws_rules\.sqs\)"
    with pytest.raises(ValueError, match=declared_twice):
        aws_rules._collect()


def test_the_table_holds_each_type_of_each_module_once(monkeypatch):
    monkeypatch.setattr(aws_rules, "_MODULES", (sqs, kms))
    table = aws_rules._collect()
    assert list(table) == ["aws:sqs/queue:Queue", "aws:kms/key:Key", "aws:kms/alias:Alias"]
    assert table["aws:kms/alias:Alias"].type == "aws:kms/alias:Alias"
    assert table["aws:sqs/queue:Queue"] is sqs.RESOURCES[0]


def test_an_ecs_arn_rule_in_full():
    assert ecs._arn_rule("ecs.x.role-arn.arn", "roleArn", "role_arn", "pass the role's ARN", "arn:aws:iam::1:role/r",
                         "role") == Rule(
        id="ecs.x.role-arn.arn", argument="roleArn", constraint=Check(ecs._arn_problem, "an ARN"),
        message='"role_arn" is an invalid ARN',
        source="https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go",
        fix="pass the role's ARN", ok=("arn:aws:iam::1:role/r",), bad=("role",))


def test_the_capacity_provider_strategy_rules_in_full():
    base, weight, single, positive = ecs._strategy_rules("p", "strategies", "tf_strategy", "https://src")
    assert (base.id, base.argument, base.constraint, base.message, base.source) == (
        "p.base.range", "strategies[].base", Range(0, 100000),
        "expected tf_strategy.0.base to be in the range (0 - 100000)", "https://src")
    assert (weight.id, weight.argument, weight.constraint, weight.message, weight.source) == (
        "p.weight.range", "strategies[].weight", Range(0, 1000),
        "expected tf_strategy.0.weight to be in the range (0 - 1000)", "https://src")
    api = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html"
    assert (single.id, single.argument, single.constraint, single.source) == (
        "p.base.single", "strategies", Check(ecs._one_base, "at most one provider with a base above 0"), api)
    assert single.message == "Only one capacity provider in a capacity provider strategy can have a base defined."
    assert (positive.id, positive.argument, positive.constraint, positive.source) == (
        "p.weight.positive", "strategies", Check(ecs._some_weight, "at least one provider with a weight above 0"),
        api)
    assert positive.message == ("When multiple capacity providers are specified within a capacity provider "
                                "strategy, at least one of the capacity providers must have a weight value greater "
                                "than zero")
    # the examples the rule tests run, at the bounds
    assert (base.ok, base.bad, weight.ok, weight.bad) == ((0.0, 100000.0, 2.0), (-1.0, 100001.0),
                                                          (0.0, 1000.0, 3.0), (-1.0, 1001.0))
    assert single.ok == ([{"capacityProvider": "FARGATE", "base": 2.0, "weight": 1.0},
                          {"capacityProvider": "FARGATE_SPOT", "base": 0.0, "weight": 3.0}],)
    assert single.bad == ([{"capacityProvider": "FARGATE", "base": 2.0, "weight": 1.0},
                           {"capacityProvider": "FARGATE_SPOT", "base": 1.0, "weight": 3.0}],)
    assert positive.ok == ([{"capacityProvider": "FARGATE", "weight": 1.0},
                            {"capacityProvider": "FARGATE_SPOT", "weight": 0.0}],)
    assert positive.bad == ([{"capacityProvider": "FARGATE", "weight": 0.0},
                             {"capacityProvider": "FARGATE_SPOT", "weight": 0.0}],)
    assert [r.fix for r in (base, weight, single, positive)] == [
        "keep the base from 0 to 100000 tasks", "keep the weight from 0 to 1000",
        "give the base to one provider only (FARGATE)", "give at least one provider a weight above zero"]


def test_the_container_definitions_of_the_ecs_examples():
    """The examples' one essential container named app, with the arguments of the case added (the messages
    above name it)."""
    assert json.loads(ecs._cd(cpu=256, name="web")) == [{"name": "web", "image": "nginx:1", "essential": True,
                                                         "cpu": 256}]
    assert json.loads(ecs._cd()) == [{"name": "app", "image": "nginx:1", "essential": True}]


def test_an_elbv2_arn_rule_in_full():
    """Its bad examples are the ARN's last name part and a bare service prefix."""
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/abc"
    assert elbv2._arn_rule("elbv2.x.arn", "listenerArn", "listener_arn", "pass the ARN", arn) == Rule(
        id="elbv2.x.arn", argument="listenerArn", constraint=Check(elbv2._arn_problem, "an ARN"),
        message='"listener_arn" is an invalid ARN',
        source="https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go",
        fix="pass the ARN", ok=(arn,), bad=("abc", "arn:aws:elasticloadbalancing"))
    assert elbv2._arn_rule("elbv2.x.arn", "a", "a", "f", "arn:aws:iam::123456789012:").bad == (
        "name", "arn:aws:elasticloadbalancing")


RULE_GO = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/elbv2/listener_rule.go"
VALIDATE_GO = "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/verify/validate.go"


def test_the_action_rules_in_full():
    """Ids from the prefix, arguments under the path, the provider's messages naming the block, and the sources."""
    rules = elbv2._action_rules("p", "acts[]", "tf", "https://src")
    assert [(r.id, r.argument, r.message, r.source, r.fix) for r in rules] == [
        ("p.type.enum", "acts[].type", 'expected tf.0.type to be one of ["forward" "authenticate-oidc" '
         '"authenticate-cognito" "redirect" "fixed-response" "jwt-validation"]', "https://src",
         "use forward, redirect or fixed-response"),
        ("p.order.range", "acts[].order", "expected tf.0.order to be in the range (1 - 50000)", "https://src",
         "order actions from 1 to 50000"),
        ("p.fixed-response.content-type.enum", "acts[].fixedResponse.contentType",
         'expected tf.0.fixed_response.0.content_type to be one of ["text/plain" "text/css" "text/html" '
         '"application/javascript" "application/json"]', "https://src", "use one of the five content types ELB serves"),
        ("p.fixed-response.status-code.pattern", "acts[].fixedResponse.statusCode",
         "invalid value for tf.0.fixed_response.0.status_code (must match ^[245]\\d\\d$)", "https://src",
         "answer with a 2XX, 4XX or 5XX code"),
        ("p.fixed-response.message-body.length", "acts[].fixedResponse.messageBody",
         "expected length of tf.0.fixed_response.0.message_body to be in the range (0 - 1024)", RULE_GO,
         "keep the fixed response body within 1024 characters"),
        ("p.redirect.status-code.enum", "acts[].redirect.statusCode",
         'expected tf.0.redirect.0.status_code to be one of ["HTTP_301" "HTTP_302"]', "https://src",
         "redirect with HTTP_301 or HTTP_302"),
        ("p.redirect.protocol.enum", "acts[].redirect.protocol",
         'expected tf.0.redirect.0.protocol to be one of ["#{protocol}" "HTTP" "HTTPS"]', "https://src",
         "redirect to HTTP, HTTPS or #{protocol}"),
        ("p.redirect.port.range", "acts[].redirect.port",
         "Port: The port. You can specify a value from 1 to 65535 or #{port}.",
         "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html",
         "redirect to a port from 1 to 65535 or #{port}"),
        ("p.forward.target-groups.count", "acts[].forward.targetGroups",
         "tf.0.forward.0.target_group: attribute supports 1 to 5 items", "https://src",
         "forward to between one and five target groups"),
        ("p.forward.target-group.weight.range", "acts[].forward.targetGroups[].weight",
         "expected tf.0.forward.0.target_group.0.weight to be in the range (0 - 999)", "https://src",
         "weigh target groups from 0 to 999"),
        ("p.forward.target-group.arn.arn", "acts[].forward.targetGroups[].arn",
         '"tf.0.forward.0.target_group.0.arn" is an invalid ARN', VALIDATE_GO, "forward to target group ARNs"),
        ("p.forward.stickiness.duration.range", "acts[].forward.stickiness.duration",
         "expected tf.0.forward.0.stickiness.0.duration to be in the range (1 - 604800)", "https://src",
         "keep stickiness between 1 second and 7 days"),
        ("p.target-group-arn.arn", "acts[].targetGroupArn", '"tf.0.target_group_arn" is an invalid ARN', VALIDATE_GO,
         "forward to a target group ARN"),
    ]
    by_id = {r.id.removeprefix("p."): r for r in rules}
    assert by_id["order.range"].constraint == Range(1, 50000)
    assert by_id["forward.target-group.weight.range"].constraint == Range(0, 999)
    assert by_id["forward.stickiness.duration.range"].constraint == Range(1, 604800)
    assert by_id["fixed-response.message-body.length"].constraint == Length(0, 1024)
    assert by_id["redirect.status-code.enum"].constraint == OneOf(("HTTP_301", "HTTP_302"))
    assert by_id["redirect.protocol.enum"].constraint == OneOf(("#{protocol}", "HTTP", "HTTPS"))
    assert by_id["fixed-response.content-type.enum"].constraint == OneOf(
        ("text/plain", "text/css", "text/html", "application/javascript", "application/json"))
    assert by_id["fixed-response.status-code.pattern"].constraint == Pattern(r"[245]\d\d",
                                                                             "a 2XX, 4XX or 5XX status code")
    count = by_id["forward.target-groups.count"].constraint
    assert [count.problem(v) for v in ([], ["t"] * 5, ["t"] * 6, "t")] == [
        "must list 1 to 5 target groups", None, "must list 1 to 5 target groups", "must list 1 to 5 target groups"]
    assert [r.constraint.meaning for r in rules if isinstance(r.constraint, Check)] == [
        "an ELB action type (case-insensitive)", "#{port} or 1..65535", "1 to 5 target groups", "an ARN", "an ARN"]
    # every example the rule tests run, at the bounds
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
    assert [(r.ok, r.bad) for r in rules] == [
        (("forward", "fixed-response", "REDIRECT"), ("forward-to", "respond")),
        ((1.0, 50000.0), (0.0, 50001.0)),
        (("text/plain", "application/json"), ("text/xml", "TEXT/PLAIN")),
        (("404", "200", "503"), ("301", "4040")),
        (("b" * 1024, "Not Found"), ("b" * 1025,)),
        (("HTTP_301", "HTTP_302"), ("301", "HTTP_307")),
        (("HTTPS", "#{protocol}"), ("https", "TCP")),
        (("443", "65535", "1", "#{port}"), ("0", "65536", "https")),
        (([{"arn": arn + "a/1"}], [{"arn": f"{arn}t{i}/1"} for i in range(5)]),
         ([], [{"arn": f"{arn}t{i}/1"} for i in range(6)])),
        ((0.0, 999.0, 100.0), (-1.0, 1000.0)),
        ((arn + "tg-frontend-prod/156e63a649646607",), ("tg-frontend-prod",)),
        ((1.0, 604800.0), (0.0, 604801.0)),
        ((arn + "tg-frontend-dev/156e63a649646607",), ("tg-frontend-dev",)),
    ]
    for rule in rules:
        assert all(rule.constraint.problem(v) is None for v in rule.ok), rule.id
        assert all(rule.constraint.problem(v) is not None for v in rule.bad), rule.id


def test_the_security_group_rule_rules_in_full():
    """One table for ingress and egress rules, the kind in every id."""
    rules = ec2._sg_rule_rules("side")
    sg_rule_go = ("https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/ec2/"
                  "vpc_security_group_ingress_rule.go")
    api = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/"
    assert [(r.id, r.argument, r.constraint, r.message, r.source, r.fix) for r in rules] == [
        ("vpc.security-group-side-rule.target.exactly-one", "",
         ExactlyOneOf(("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")),
         "Exactly one of these attributes must be configured: "
         "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]", sg_rule_go,
         "give the rule exactly one peer: a CIDR, a prefix list or a security group"),
        ("vpc.security-group-side-rule.cidr-ipv4.network-address", "cidrIpv4",
         Check(ec2.ipv4_cidr_problem, "an IPv4 CIDR block in canonical network form"),
         "Attribute cidr_ipv4 value must be a valid IPv4 CIDR network address", sg_rule_go,
         "write the peer CIDR as a network address (10.10.0.0/16)"),
        ("vpc.security-group-side-rule.from-port.range", "fromPort", Range(-1, 65535),
         "Attribute from_port value must be between -1 and 65535", sg_rule_go,
         "use a port from 0 to 65535 (-1 for all ICMP types)"),
        ("vpc.security-group-side-rule.to-port.range", "toPort", Range(-1, 65535),
         "Attribute to_port value must be between -1 and 65535", sg_rule_go,
         "use a port from 0 to 65535 (-1 for all ICMP codes)"),
        ("vpc.security-group-side-rule.ports.order", "",
         Check(ec2._ports_in_order, "fromPort <= toPort for tcp and udp; both set"),
         "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
         api + "API_IpPermission.html", "set fromPort and toPort, with fromPort not above toPort"),
        ("vpc.security-group-side-rule.description.length", "description", Length(0, 255),
         "Constraints: Up to 255 characters in length.", api + "API_IpRange.html",
         "shorten the rule description to 255 characters (shared/network policy descriptions)"),
        ("vpc.security-group-side-rule.description.characters", "description",
         Pattern(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*", "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"),
         "Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*", api + "API_IpRange.html",
         "use only ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"),
    ]
    assert [(r.ok, r.bad) for r in rules] == [
        (({"cidrIpv4": "10.0.0.0/16"}, {"referencedSecurityGroupId": "sg-0123456789abcdef0"}),
         ({}, {"cidrIpv4": "0.0.0.0/0", "referencedSecurityGroupId": "sg-0123456789abcdef0"})),
        (("0.0.0.0/0", "10.10.0.0/16"), ("10.10.0.1/16", "10.10.0.0")),
        ((-1.0, 65535.0, 443.0), (-2.0, 65536.0)),
        ((-1.0, 65535.0, 443.0), (-2.0, 65536.0)),
        (({"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0}, {"ipProtocol": "-1"}),
         ({"ipProtocol": "tcp", "fromPort": 8082.0, "toPort": 8080.0}, {"ipProtocol": "udp", "fromPort": 53.0})),
        (("d" * 255,), ("d" * 256,)),
        (("from alb: public route /*", "AWS APIs via NAT or VPC endpoints; trading venues"),
         ("from alb \u2192 frontend", 'quote "x"')),
    ]


def test_the_ecs_scalable_target_rule_in_full():
    ok = {"serviceNamespace": "ecs", "scalableDimension": "ecs:service:DesiredCount",
          "resourceId": "service/cluster-dev/svc-frontend-dev"}
    assert appautoscaling._ecs_target_rule("a.b.c") == Rule(
        id="a.b.c", argument="",
        constraint=Check(appautoscaling._ecs_target, "ECS: ecs:service:DesiredCount and service/<cluster>/<service>"),
        message="ResourceId: ECS service - The resource type is service and the unique identifier is the cluster "
                "name and service name. Example: service/my-cluster/my-service.",
        source="https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html",
        fix="scale ECS services on service/<cluster>/<service>",
        ok=(ok, {"serviceNamespace": "dynamodb", "resourceId": "table/t"}),
        bad=({**ok, "resourceId": "cluster-dev/svc-frontend-dev"}, {**ok, "scalableDimension": "ecs:service:Count"}))


def test_the_iam_policy_size_check_in_full():
    check = iam_rules.policy_size(2048, "an inline role policy")
    assert check.meaning == "at most 2048 characters, white space not counted"
    assert check.problem("{" + "a" * 2046 + "}") is None
    assert check.problem("{" + "a" * 2047 + "}") == ("is 2049 characters without white space; an inline role policy "
                                                     "is limited to 2048")


def test_the_s3_bucket_length_rule_in_full():
    assert s3._bucket_length("bucket-policy", "https://src") == Rule(
        id="s3.bucket-policy.bucket.length", argument="bucket", constraint=Length(1, 63),
        message="expected length of bucket to be in the range (1 - 63)", source="https://src",
        fix="pass the bucket's name (bucket.bucket), not its ARN",
        ok=("b", "b" * 63, "s3-assets-dev-00613855782945869492825269"), bad=("", "b" * 64))


def test_the_redrive_policies_of_the_sqs_examples():
    assert json.loads(sqs._redrive(5)) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:sqs-orders-dlq-dev", "maxReceiveCount": 5}
    assert json.loads(sqs._redrive("7", "arn:x")) == {"deadLetterTargetArn": "arn:x", "maxReceiveCount": "7"}


def test_the_lifecycle_documents_of_the_ecr_examples():
    """The example builder: a rule expiring images, with days as the unit unless it counts images."""
    assert json.loads(ecr._doc(ecr._r(1, "untagged"), ecr._r(2, "tagged", "imageCountMoreThan", 30,
                                                             tagPatternList=["v*"]))) == {"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 7,
                                          "countUnit": "days"}, "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 30,
                                          "tagPatternList": ["v*"]}, "action": {"type": "expire"}}]}
