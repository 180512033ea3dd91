"""Platform settings: the committed stacks, and every bad input refused with key, value and fix."""
import pytest

from shared.catalog import Secret
from shared.fargate import CapacityShare
from shared.settings import ConfigError, DictConfigSource
from shared.settings.platform import ContainerInsights, load_platform_settings
from shared.stack_config import OFFLINE_SECRET, load_stack_config
from shared.stacks import StackId
from tools.plan.runner import PlanError

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def source(stack: str = "dev", secret: tuple[str, ...] = (), **overrides) -> DictConfigSource:
    """The committed stack's config (Pulumi.yaml defaults, then the stack file) with `overrides`; a None
    override removes the key."""
    values, secret_keys = load_stack_config(StackId("platform", stack))
    plain = {k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("platform:")}
    for key, value in overrides.items():
        if value is None:
            plain.pop(key, None)
        else:
            plain[key] = value
    secrets = {k.split(":", 1)[1] for k in secret_keys} | set(secret)
    return DictConfigSource("platform", stack, plain, frozenset(secrets))


def problems(**overrides) -> str:
    with pytest.raises(ConfigError) as error:
        load_platform_settings(source(**overrides))
    return str(error.value)


def test_committed_dev_and_prod_settings():
    dev = load_platform_settings(source("dev"))
    assert dev.https is False and dev.certificate_arn is None
    assert dev.capacity == (CapacityShare("FARGATE", 0, 1), CapacityShare("FARGATE_SPOT", 0, 3))
    assert dev.secret_recovery_days == 0 and dev.external_secrets == {
        Secret.DATABASE_URL: None, Secret.THIRD_PARTY_API_KEYS: None}
    assert (dev.access_logs, dev.waf, dev.alarm_emails) == (False, False, ())
    prod = load_platform_settings(source("prod"))
    assert prod.https is True and prod.certificate_arn == CERT
    assert prod.container_insights is ContainerInsights.ENHANCED
    assert prod.external_secrets == {Secret.DATABASE_URL: OFFLINE_SECRET, Secret.THIRD_PARTY_API_KEYS: OFFLINE_SECRET}
    assert (prod.access_logs, prod.waf, prod.waf_rate_limit, prod.secret_recovery_days) == (True, True, 2000, 30)
    assert (dev.s3_access_logs, prod.s3_access_logs, dev.jwt_rotation_days, prod.jwt_rotation_days) == (
        False, True, 30, 30)
    assert (dev.common.project, dev.common.environment, prod.common.environment) == ("platform", "dev", "prod")


def test_an_absent_certificate_is_http_only():
    assert load_platform_settings(source(certificateArn=None)).certificate_arn is None


@pytest.mark.parametrize("overrides, lines", [
    pytest.param({"certificateArn": "arn:x"}, [
        "config 'platform:certificateArn' = 'arn:x': is not an ACM certificate ARN in us-east-1 (an ALB only takes "
        "certificates of its region). Fix: give arn:aws:acm:us-east-1:<account>:certificate/<uuid>, or leave it "
        "empty for HTTP only"], id="certificate"),
    pytest.param({"alarmEmails": '["a@b"]'}, [
        "config 'platform:alarmEmails' = ['a@b']: are not e-mail addresses. Fix: give addresses like "
        "oncall@example.com"], id="alarm-email"),
    pytest.param({"generateSecretPlaceholders": "false"}, [
        f"config 'platform:{key}' = None: is not set and generateSecretPlaceholders is false. Fix: run `pulumi config "
        f"set --secret platform:{key} <value>`, or set generateSecretPlaceholders: true in a non-production stack"
        for key in ("databaseUrl", "thirdPartyApiKeys")], id="external-secrets-missing"),
    pytest.param({"secret": ("thirdPartyApiKeys",), "thirdPartyApiKeys": "k"}, [
        "config 'platform:thirdPartyApiKeys' = '[secret]': is set while generateSecretPlaceholders is true (which of "
        "the two is meant?). Fix: set generateSecretPlaceholders: false, or remove the value"],
        id="secret-and-placeholders"),
    pytest.param({"jwtRotationDays": "0"}, [
        "config 'platform:jwtRotationDays' = 0: is outside 1..1000. Fix: choose a value from 1 to 1000"],
        id="rotation-0"),
    pytest.param({"jwtRotationDays": "1001"}, [
        "config 'platform:jwtRotationDays' = 1001: is outside 1..1000. Fix: choose a value from 1 to 1000"],
        id="rotation-1001"),
])
def test_each_platform_rule_gives_its_whole_lines(overrides, lines):
    assert problems(**overrides).splitlines()[1:] == [f"  - {line}" for line in lines]


@pytest.mark.parametrize("overrides, expected", [
    pytest.param({"certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"},
                 "config 'platform:certificateArn' = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc': is not an "
                 "ACM certificate ARN in us-east-1", id="malformed-certificate"),
    pytest.param({"requireHttps": "true"},
                 "config 'platform:certificateArn' = '': is empty but requireHttps is true (this environment must "
                 "serve HTTPS only). Fix: set platform:certificateArn", id="https-required-without-certificate"),
    pytest.param({"defaultCapacityStrategy": '["FARGATE:0:0", "FARGATE_SPOT:0:0"]'},
                 "config 'platform:defaultCapacityStrategy' = ['FARGATE:0:0', 'FARGATE_SPOT:0:0']: has no entry with "
                 "a weight above 0", id="weights-all-0"),
    pytest.param({"defaultCapacityStrategy": '["FARGATE:0:1", "FARGATE_SPOT:0:1001"]'},
                 "has a weight above 1000 or a base above 100000", id="weight-above-1000"),
    pytest.param({"defaultCapacityStrategy": '["FARGATE:0:-1"]'},
                 "config 'platform:defaultCapacityStrategy' = 'FARGATE:0:-1': is not PROVIDER:base:weight",
                 id="weight-negative"),
    pytest.param({"defaultCapacityStrategy": '["FARGATE:1:1", "FARGATE_SPOT:2:1"]'},
                 "gives a base to more than one provider (AWS allows one)", id="two-bases"),
    pytest.param({"defaultCapacityStrategy": '[]'},
                 "config 'platform:defaultCapacityStrategy' = []: is empty", id="empty-strategy"),
    pytest.param({"secretRecoveryWindowDays": "3"},
                 "config 'platform:secretRecoveryWindowDays' = 3: Secrets Manager accepts 0 or 7..30. Fix: use 0",
                 id="recovery-window-3"),
    pytest.param({"secretRecoveryWindowDays": "31"},
                 "config 'platform:secretRecoveryWindowDays' = 31: is outside 0..30",
                 id="recovery-window-31"),
    pytest.param({"wafRateLimit": "9"}, "config 'platform:wafRateLimit' = 9: is outside 10..2000000000",
                 id="rate-limit-below-aws-minimum"),
    pytest.param({"alarmEmails": '["oncall@example.com", "not-an-address", "a@b"]'},
                 "config 'platform:alarmEmails' = ['not-an-address', 'a@b']: are not e-mail addresses",
                 id="malformed-alarm-email"),
    pytest.param({"databaseUrl": "postgresql://u:p@db/trading"},
                 "config 'platform:databaseUrl' = '<hidden>': is stored in plain text. Fix: remove it and run "
                 "`pulumi config set --secret platform:databaseUrl <value>`", id="secret-in-plain-config"),
    pytest.param({"generateSecretPlaceholders": "false"},
                 "config 'platform:databaseUrl' = None: is not set and generateSecretPlaceholders is false",
                 id="external-secret-missing"),
    pytest.param({"containerInsights": "disabled"},
                 "config 'platform:containerInsights' = 'disabled': is not a known value. Fix: use one of enhanced, "
                 "enabled", id="insights-off"),
])
def test_bad_platform_settings_name_key_value_and_fix(overrides, expected):
    assert expected in problems(**overrides)


def test_a_secret_value_together_with_placeholders_is_refused_without_showing_it():
    text = problems(secret=("thirdPartyApiKeys",), thirdPartyApiKeys='{"venue": "k3y"}')
    assert "config 'platform:thirdPartyApiKeys' = '[secret]': is set while generateSecretPlaceholders is true" in text
    assert "k3y" not in text


def test_recovery_window_accepts_0_and_7_to_30():
    for days in ("0", "7", "30"):
        assert load_platform_settings(source(secretRecoveryWindowDays=days)).secret_recovery_days == int(days)


def test_prod_without_a_certificate_fails_the_plan_before_any_resource(run_project):
    with pytest.raises(PlanError, match="config 'platform:certificateArn' = '': is empty but requireHttps is true"):
        run_project("platform", "prod", {"certificateArn": None})


def test_an_unparsable_switch_does_not_also_report_the_rules_that_read_it():
    text = problems(generateSecretPlaceholders="maybe", requireHttps="perhaps")
    assert "(2 problem(s))" in text
    assert "'platform:generateSecretPlaceholders' = 'maybe': is not a boolean" in text
    assert "'platform:requireHttps' = 'perhaps': is not a boolean" in text


def test_a_protected_environment_may_not_run_on_generated_placeholder_secrets():
    # GIVEN prod with its example ciphertexts removed and placeholders switched on
    with pytest.raises(ConfigError) as error:
        load_platform_settings(source("prod", databaseUrl=None, thirdPartyApiKeys=None,
                                      generateSecretPlaceholders="true"))
    text = str(error.value)
    assert "config 'platform:generateSecretPlaceholders' = True: is refused in prod: its tasks would run on " \
           "generated placeholder secrets" in text
    assert "pulumi config set --secret platform:databaseUrl <value>" in text
    # dev (not protected) keeps them
    assert load_platform_settings(source("dev")).external_secrets == {Secret.DATABASE_URL: None,
                                                                     Secret.THIRD_PARTY_API_KEYS: None}
