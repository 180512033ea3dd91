"""`invoke local-up`: each service in its own process, as its image runs it, against moto and the stub venue."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
import types
import urllib.request

import jwt as pyjwt
import pytest

from shared.catalog import SERVICES, Secret, Service, by_name
from tests.apps.support import SAMPLE_APPS
from tools import local


def http(method, url, payload=None, headers=None):
    request = urllib.request.Request(url, method=method, data=None if payload is None else json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_local_up_runs_every_sample_app_until_stopped(tmp_path, capsys):
    output = (tmp_path / "services.log").open("w")
    seen = {}

    def drive(run: local.LocalRun) -> None:
        # GIVEN the banner's token; WHEN an order goes in through frontend; THEN it is filled
        token = capsys.readouterr().out.split("valid one hour):\n")[1].split("\n")[0]
        auth = {"Authorization": f"Bearer {token}"}
        status, accepted = http("POST", f"{run.url('frontend')}/orders",
                                {"symbol": "ACME", "side": "BUY", "quantity": 1, "limitPrice": "10"}, auth)
        assert status == 202
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            _, shown = http("GET", f"{run.url('frontend')}/orders/{accepted['orderId']}", headers=auth)
            if shown["status"] == "FILLED":
                break
            time.sleep(0.2)
        seen["status"] = shown["status"]
        seen["processes"] = dict(run.processes)
        seen["secrets"] = dict(run.secret_values)

    lowest, highest = min(s.port for s in SAMPLE_APPS), max(s.port for s in SAMPLE_APPS)
    offset = local.free_port(span=highest - lowest + 1) - lowest  # beside anything on the catalog ports
    local.local_up(until=drive, output=output, services=",".join(s.name for s in SAMPLE_APPS), port_offset=offset)
    output.close()
    assert seen["status"] == "FILLED"
    # SIGTERM ended each service cleanly (exit 0), as ECS stops a task
    assert {name: p.returncode for name, p in seen["processes"].items()} == {s.name: 0 for s in SAMPLE_APPS}
    lines = [json.loads(line) for line in (tmp_path / "services.log").read_text().splitlines()]
    assert {line["service"] for line in lines} == {s.name for s in SAMPLE_APPS}
    assert [line["message"] for line in lines].count("stopped") == len(SAMPLE_APPS)
    text = (tmp_path / "services.log").read_text()
    assert not any(value in text for value in seen["secrets"].values())


# --- which services run: the catalog, less those without a sample app, refused with the fix ---------------
RISK = dataclasses.replace(by_name("processing-service"), name="risk-service", port=8090, callers=())


def catalog_with(*extra: Service) -> tuple[Service, ...]:
    return (*SERVICES, *extra)


def test_every_catalog_service_runs_by_default_and_a_subset_with_what_it_calls():
    assert local.select_services() == SERVICES
    assert local.select_services("processing-service") == (by_name("processing-service"),)
    whole = ",".join(s.name for s in reversed(SERVICES))
    assert local.select_services(f" {whole} ") == SERVICES  # catalog order, spaces ignored


def test_a_catalog_service_without_a_sample_app_is_refused_naming_the_fix():
    # GIVEN a fourth catalog service and no apps/risk-service
    with pytest.raises(local.LocalError) as refused:
        local.select_services(services=catalog_with(RISK))
    runnable = ",".join(s.name for s in SERVICES)
    assert str(refused.value) == (f"no sample app for risk-service: add apps/risk-service or run local-up "
                                  f"--services {runnable}")
    # WHEN it is left out with --services, the others run
    assert local.select_services(runnable, services=catalog_with(RISK)) == SERVICES


def test_the_suggested_subset_leaves_out_what_calls_a_service_without_an_app():
    # GIVEN api-gateway calls risk-service, which has no app: api-gateway cannot run, nor frontend, its caller
    services = catalog_with(dataclasses.replace(RISK, callers=("api-gateway",)))
    with pytest.raises(local.LocalError, match=r"or run local-up --services processing-service$"):
        local.select_services(services=services)


def test_with_no_sample_app_at_all_the_message_says_to_add_them(tmp_path):
    with pytest.raises(local.LocalError, match="add apps/frontend and apps/api-gateway and apps/processing-service "
                                               "or add the apps first"):
        local.select_services(apps_dir=tmp_path)


@pytest.mark.parametrize("names, message", [
    ("billing", "--services: no service named 'billing' in the catalog"),
    ("frontend", "frontend calls api-gateway: add it to --services"),
])
def test_a_subset_naming_an_unknown_service_or_leaving_out_a_callee_is_refused(names, message):
    with pytest.raises(local.LocalError, match=message):
        local.select_services(names)


def test_local_up_refuses_before_starting_anything(monkeypatch):
    monkeypatch.setattr(local, "start_moto", lambda: pytest.fail("moto started for a refused run"))
    with pytest.raises(local.LocalError, match="no service named 'billing'"):
        local.local_up(services="billing")


class FakeRun(local.LocalRun):
    def __init__(self, processes, ports):
        self.processes, self.ports = processes, ports


def python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_wait_healthy_names_a_service_that_exited():
    process = python("raise SystemExit(3)")
    process.wait()
    run = FakeRun({"frontend": process}, {"frontend": local.free_port()})
    with pytest.raises(local.LocalError, match="frontend exited with code 3 before it was healthy"):
        local.wait_healthy(run, (by_name("frontend"),), timeout=5)


def test_wait_healthy_names_a_service_that_never_answered():
    run = FakeRun({}, {"api-gateway": local.free_port()})
    with pytest.raises(local.LocalError, match="api-gateway did not answer 200 on /health within 0 s"):
        local.wait_healthy(run, (by_name("api-gateway"),), timeout=0.3)


def test_a_failed_start_stops_what_it_started(monkeypatch):
    stopped = []
    real_stop = local.stop_local
    monkeypatch.setattr(local, "stop_local", lambda run: stopped.append(run))
    monkeypatch.setattr(local, "wait_healthy", lambda run, services, timeout: (_ for _ in ()).throw(
        local.LocalError("frontend did not answer")))
    with pytest.raises(local.LocalError):
        local.start_local()
    run = stopped[0]
    assert list(run.processes) == [s.name for s in SERVICES]
    real_stop(run, grace_seconds=5)


def test_stop_kills_what_ignores_sigterm():
    # The child says when SIGTERM is ignored; a fixed sleep lost that race on a loaded machine (exit -15, not -9).
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, "
                                 "signal.SIG_IGN); print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE,
                                text=True)
    assert stubborn.stdout is not None and stubborn.stdout.readline() == "ready\n"
    stubborn.stdout.close()

    class Stoppable:
        stopped = False

        def stop(self):
            self.stopped = True
    run = FakeRun({"frontend": stubborn}, {})
    run.venue, run.moto = Stoppable(), Stoppable()
    local.stop_local(run, grace_seconds=0.2)
    assert stubborn.returncode == -9 and run.venue.stopped and run.moto.stopped


def test_wait_for_interrupt_returns_on_ctrl_c(monkeypatch):
    alive = python("import time; time.sleep(30)")
    try:
        def interrupt(seconds):
            raise KeyboardInterrupt
        monkeypatch.setattr(local.time, "sleep", interrupt)
        local.wait_for_interrupt(FakeRun({"frontend": alive}, {}))
    finally:
        alive.kill()
        alive.wait()


def test_wait_for_interrupt_names_a_service_that_died():
    dead = python("pass")
    dead.wait()
    with pytest.raises(local.LocalError, match="processing-service exited"):
        local.wait_for_interrupt(FakeRun({"processing-service": dead}, {}))


def test_the_stub_venue_answers_404_off_its_route():
    venue = local.StubVenue("key")
    venue.start()
    try:
        request = urllib.request.Request(f"{venue.url}/elsewhere", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
        assert raised.value.code == 404
    finally:
        venue.stop()


def test_tokens_are_signed_hs256_for_the_given_trader_with_the_sets_signing_key():
    from appkit import jwt  # the apps' verifier accepts what local-up prints, and its parser the key set
    key_set = local.jwt_key_set()
    keys = jwt.load_keys(key_set)
    token = local.trader_token(key_set, "bob", ttl_seconds=60)
    assert jwt.verify(token, keys)["sub"] == "bob"
    assert pyjwt.get_unverified_header(token)["kid"] == keys.signing_kid and len(keys.keys) == 2


def test_the_local_key_set_has_the_rotation_functions_format():
    from jwt_rotation import keyset  # apps/jwt-rotation: the format's definition
    assert keyset.problems(json.loads(local.jwt_key_set())) == []


def test_the_banner_shows_the_order_example_only_when_frontend_runs():
    run = FakeRun({}, {"processing-service": 8090})
    run.endpoint, run.secret_values = "http://127.0.0.1:5000", {Secret.JWT_SIGNING_KEY.value: local.jwt_key_set()}
    run.venue = types.SimpleNamespace(url="http://127.0.0.1:5001")
    text = local.banner(run)
    assert "processing-service: http://127.0.0.1:8090" in text and "curl" not in text
    assert text.endswith("Ctrl-C stops everything.")
