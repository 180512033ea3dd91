"""`invoke local-up`: the catalog's sample services on loopback against moto's server, with a stub venue.

Stores are created the way the platform project declares them (names from `shared.naming`, the trades
table keyed by `tradeId`, the orders queue with a dead-letter queue), secrets are put in moto's Secrets
Manager and read back into each service's environment the way ECS injects them, and each service gets
exactly the variables the catalog says its task definition carries. The services run the shipped code,
unchanged: only `AWS_ENDPOINT_URL` points boto3 at moto. A catalog service without a sample app under
`apps/<name>/` is refused before anything starts; `--services` runs a subset (with everything it calls).
"""
from __future__ import annotations

import base64
import ctypes
import hmac
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, Literal

import boto3
import jwt
from moto.server import ThreadedMotoServer

from shared.catalog import SERVICES, STORE_ENV, CatalogError, Secret, Service, Store, by_name, callees
from shared.naming import physical_name
from shared.stacks import REPO_ROOT

LOCAL_SUFFIX = "local"
REGION = "us-east-1"
HOST = "127.0.0.1"
ENDPOINT_ENV = "AWS_ENDPOINT_URL"
# moto accepts any keys; fixed fake ones keep a real profile on this machine from ever being used.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing"}
APPS_DIR = REPO_ROOT / "apps"
# As the platform project declares them (shared/components/platform_data.py; a test holds them equal). Not
# imported from there: that module loads the Pulumi SDK, which local-up does not need.
TABLE_KEY = "tradeId"
MAX_RECEIVE_COUNT = 5
VISIBILITY_TIMEOUT_SECONDS = 60
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a child receives when its parent dies
STUB_VENUE = "stub-venue"  # the stub venue's entry in THIRD_PARTY_API_KEYS
SAMPLE_ASSET = ("styles.css", b"body { font-family: sans-serif; }\n", "text/css")


class LocalError(RuntimeError):
    """The local environment could not start; the message names the part and what to do."""


# Where a free port is looked for: from 10000 (clear of the well-known ports and of what developers commonly run
# locally) to below every range a kernel hands out to outgoing connections. A port from that range (what binding
# port 0 returns) can become the local end of any connect() on this machine between our check and the service's
# bind: tests run beside each other, each making thousands of loopback connections. Linux reads its range from
# /proc/sys/net/ipv4/ip_local_port_range (32768-60999 by default, https://docs.kernel.org/networking/ip-sysctl.html);
# IANA's dynamic range starts at 49152 (RFC 6335).
LISTEN_PORTS_FROM = 10000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
EPHEMERAL_FROM = 32768


def outgoing_ports_from(source: Path = EPHEMERAL_RANGE) -> int:
    """The lowest port this machine may give an outgoing connection."""
    try:
        return min(int(source.read_text().split()[0]), EPHEMERAL_FROM)
    except (OSError, ValueError, IndexError):  # not Linux, or no /proc
        return EPHEMERAL_FROM


def bindable(port: int) -> bool:
    with socket.socket() as probe:
        # As the services' own servers do (http.server): a port left in TIME_WAIT by the last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(span: int = 1, attempts: int = 100) -> int:
    """The first of `span` consecutive ports nothing holds now, none of which an outgoing connection can take
    (see LISTEN_PORTS_FROM): for a service, or for the catalog's ports moved by an offset."""
    highest = outgoing_ports_from() - span
    for _ in range(attempts):
        first = secrets.SystemRandom().randrange(LISTEN_PORTS_FROM, highest)
        if all(bindable(port) for port in range(first, first + span)):
            return first
    raise LocalError(f"no {span} free consecutive port(s) on {HOST} between {LISTEN_PORTS_FROM} and {highest} "
                     f"after {attempts} tries")


def stable_ports(services: tuple[Service, ...], offset: int = 0) -> dict[str, int]:
    """Each service on its catalog port (plus `offset`, to run a second copy beside the first): the same URLs
    every run, so bookmarks and scripts keep working. Refused, naming the fix, when one is taken."""
    ports = {s.name: s.port + offset for s in services}
    taken = [f"{name} ({port})" for name, port in ports.items() if not bindable(port)]
    if taken:
        raise LocalError(f"port(s) already in use on {HOST}: {', '.join(taken)}; stop what holds them, or run "
                         f"local-up --port-offset N to move every service by N")
    return ports


def _die_with_parent() -> None:
    """Linux: the kernel sends the child SIGTERM when local-up dies, even by SIGKILL, so no service outlives it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_moto() -> tuple[ThreadedMotoServer, str]:
    """moto's server on a free loopback port, quiet; returns it and its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its state per process, not per server: start every run from empty stores.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    return server, endpoint


def aws_session() -> boto3.session.Session:
    return boto3.session.Session(region_name=REGION, aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                 aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                                 aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"])


@dataclass(frozen=True)
class LocalStores:
    names: dict[Store, str]  # what a task is given, like the platform's `storeNames` output
    dead_letter_queue_url: str
    secret_arns: dict[Secret, str]


def _secret_value(secret: Secret) -> str:
    token = secrets.token_urlsafe(32)
    # Shaped like the platform's placeholders: a connection string the sample services never use, and API keys
    # as a JSON object by provider.
    if secret is Secret.DATABASE_URL:
        return f"postgresql://trading:{token}@127.0.0.1:5432/trading"
    if secret is Secret.THIRD_PARTY_API_KEYS:
        return json.dumps({STUB_VENUE: token})
    return jwt_key_set()


def jwt_key_set() -> str:
    """A first JWT key set, as the rotation function's bootstrap writes it (apps/jwt-rotation/jwt_rotation/keyset.py
    defines the format; tests/apps/test_local.py holds the apps' parser to this one): a signing key and the next."""
    def key(generation: int, use: str) -> dict:
        secret = base64.urlsafe_b64encode(secrets.token_bytes(64)).rstrip(b"=").decode()
        return {"kid": secrets.token_hex(8), "secret": secret, "use": use, "generation": generation}
    return json.dumps({"keys": [key(0, "sign"), key(1, "verify")]})


def create_stores(endpoint: str | None, suffix: str = LOCAL_SUFFIX) -> LocalStores:
    """The stores and secrets the platform project declares; `endpoint` None means boto3's default (tests
    under `moto.mock_aws`)."""
    session = aws_session()

    def client(name: Literal["dynamodb", "s3", "secretsmanager", "sns", "sqs"]) -> Any:
        return session.client(name, endpoint_url=endpoint)

    table = physical_name("ddb", suffix, "trades")
    client("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": TABLE_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": TABLE_KEY, "KeyType": "HASH"}])
    sqs = client("sqs")
    dlq_url = sqs.create_queue(QueueName=physical_name("sqs", suffix, "orders-dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=physical_name("sqs", suffix, "orders"), Attributes={
        "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT})},
    )["QueueUrl"]
    topic_arn = client("sns").create_topic(Name=physical_name("sns", suffix, "events"))["TopicArn"]
    s3 = client("s3")
    bucket = physical_name("s3", suffix, "assets")
    s3.create_bucket(Bucket=bucket)
    key, body, content_type = SAMPLE_ASSET
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    manager = client("secretsmanager")
    arns = {secret: manager.create_secret(Name=physical_name("secret", suffix, secret.name.lower().replace("_", "-")),
                                          SecretString=_secret_value(secret))["ARN"]
            for secret in Secret}
    names = {Store.TRADES_TABLE: table, Store.ORDERS_QUEUE: queue_url, Store.EVENTS_TOPIC: topic_arn,
             Store.ASSETS_BUCKET: bucket}
    return LocalStores(names, dlq_url, arns)


def injected_secrets(endpoint: str | None, arns: dict[Secret, str]) -> dict[str, str]:
    """Secret values by environment variable, read from Secrets Manager as ECS does when a task starts."""
    manager = aws_session().client("secretsmanager", endpoint_url=endpoint)
    return {secret.value: manager.get_secret_value(SecretId=arn)["SecretString"] for secret, arn in arns.items()}


def service_environment(service: Service, *, ports: dict[str, int], stores: LocalStores, secret_values: dict[str, str],
                        venue_url: str, endpoint: str, environment: str = LOCAL_SUFFIX) -> dict[str, str]:
    """The variables the catalog gives `service`'s container, pointed at loopback and moto."""
    contract = service.contract
    env = {
        contract.env_service_name: service.name,
        contract.env_port: str(ports[service.name]),
        contract.env_environment: environment,
        contract.env_region: REGION,
        contract.env_log_level: "INFO",
        ENDPOINT_ENV: endpoint,
        **FAKE_CREDENTIALS,
    }
    for access in service.stores:
        env[STORE_ENV[access.store]] = stores.names[access.store]
    for callee in callees(service):
        env[callee.url_env] = f"http://{HOST}:{ports[callee.name]}"
    if service.external:
        env[contract.env_venue_url] = venue_url
    for secret in service.secrets:
        env[secret.value] = secret_values[secret.value]
    return env


def trader_token(key_set: str, trader: str = "trader-1", ttl_seconds: int = 3600) -> str:
    """An HS256 token as the platform's identity provider would issue it: signed with the set's signing key, naming
    it in `kid` (the apps verify it)."""
    signing = next(k for k in json.loads(key_set)["keys"] if k["use"] == "sign")
    secret = base64.urlsafe_b64decode(signing["secret"] + "=" * (-len(signing["secret"]) % 4))
    return jwt.encode({"sub": trader, "exp": int(time.time()) + ttl_seconds}, secret, algorithm="HS256",
                      headers={"kid": signing["kid"]})


class StubVenue:
    """A trading venue that fills every order at its limit price, checking the API key it is sent."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self.orders: list[dict] = []
        venue = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path != "/orders":
                    status, answer = 404, {"error": f"no route {self.path}"}
                elif not hmac.compare_digest(self.headers.get("X-Api-Key", ""), venue.api_key):
                    status, answer = 401, {"error": "unknown API key"}
                else:
                    venue.orders.append({**body, "requestId": self.headers.get("X-Request-Id")})
                    status, answer = 200, {"venueOrderId": f"V-{len(venue.orders):06d}", "status": "FILLED",
                                           "filledQuantity": body["quantity"], "filledPrice": body["limitPrice"]}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the services log every venue call themselves."""

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class LocalRun:
    """Everything local-up started, so `stop_local` can end it in reverse order."""

    moto: ThreadedMotoServer
    endpoint: str
    stores: LocalStores
    secret_values: dict[str, str]
    venue: StubVenue
    ports: dict[str, int]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://{HOST}:{self.ports[service]}"


def package(service: Service) -> str:
    """The Python package of a service's app: apps/<name>/<name with underscores>."""
    return service.name.replace("-", "_")


def _closed(chosen: tuple[Service, ...], services: tuple[Service, ...]) -> tuple[Service, ...]:
    """Those of `chosen` whose callees (transitively) are all in `chosen`: the ones that can run alone."""
    while True:
        names = {s.name for s in chosen}
        kept = tuple(s for s in chosen if all(c.name in names for c in callees(s, services)))
        if kept == chosen:
            return kept
        chosen = kept


def select_services(names: str = "", services: tuple[Service, ...] = SERVICES,
                    apps_dir: Path = APPS_DIR) -> tuple[Service, ...]:
    """The services to run, in catalog order: `names` (comma-separated) or every catalog service. Refused
    with the fix when one has no sample app under `apps_dir`, or calls a service left out."""
    try:
        wanted = {by_name(n.strip(), services).name for n in names.split(",") if n.strip()}
    except CatalogError as error:
        raise LocalError(f"--services: {error}") from None
    chosen = tuple(s for s in services if not wanted or s.name in wanted)
    runnable = _closed(tuple(s for s in services if (apps_dir / s.name).is_dir()), services)
    missing = [s.name for s in chosen if not (apps_dir / s.name).is_dir()]
    if missing:
        hint = f"run local-up --services {','.join(s.name for s in runnable)}" if runnable else "add the apps first"
        raise LocalError(f"no sample app for {', '.join(missing)}: add "
                         f"{' and '.join(f'apps/{name}' for name in missing)} or {hint}")
    names_chosen = {s.name for s in chosen}
    for service in chosen:
        left_out = [c.name for c in callees(service, services) if c.name not in names_chosen]
        if left_out:
            raise LocalError(f"{service.name} calls {', '.join(left_out)}: add it to --services")
    return chosen


def prepare(services: tuple[Service, ...] = SERVICES, ports: dict[str, int] | None = None) -> LocalRun:
    """moto, stores, secrets and the venue; no service yet (the end-to-end test starts them itself). Services
    listen on `ports`, else on free ports (tests run side by side)."""
    moto, endpoint = start_moto()
    stores = create_stores(endpoint)
    values = injected_secrets(endpoint, stores.secret_arns)
    venue = StubVenue(json.loads(values[Secret.THIRD_PARTY_API_KEYS.value])[STUB_VENUE])
    venue.start()
    return LocalRun(moto, endpoint, stores, values, venue, ports or {s.name: free_port() for s in services})


def environments(run: LocalRun, services: tuple[Service, ...] = SERVICES) -> dict[str, dict[str, str]]:
    return {s.name: service_environment(s, ports=run.ports, stores=run.stores, secret_values=run.secret_values,
                                        venue_url=run.venue.url, endpoint=run.endpoint) for s in services}


def wait_healthy(run: LocalRun, services: tuple[Service, ...], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for service in services:
        while True:
            process = run.processes.get(service.name)
            if process is not None and process.poll() is not None:
                raise LocalError(f"{service.name} exited with code {process.returncode} before it was healthy; "
                                 f"its log lines above say why")
            try:
                with urllib.request.urlopen(f"{run.url(service.name)}{service.health_path}", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise LocalError(f"{service.name} did not answer 200 on {service.health_path} within "
                                     f"{timeout:.0f} s") from None
                time.sleep(0.2)


def start_local(output: IO[str] | None = None, timeout: float = 30.0, poll_seconds: int = 2,
                services: tuple[Service, ...] = SERVICES, ports: dict[str, int] | None = None) -> LocalRun:
    """Everything, with each service in its own process (`python -m <package>`, as its image runs it), each
    bound to die with this process."""
    run = prepare(services, ports)
    try:
        envs = environments(run, services)
        for service in services:
            pythonpath = os.pathsep.join(str(APPS_DIR / d) for d in ("common", service.name))
            env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": pythonpath, "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONUNBUFFERED": "1", "SQS_WAIT_SECONDS": str(poll_seconds),
                   **envs[service.name]}
            run.processes[service.name] = subprocess.Popen(
                [sys.executable, "-m", package(service)], env=env, cwd=APPS_DIR / service.name, stdout=output,
                stderr=output, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        wait_healthy(run, services, timeout)
    except BaseException:
        stop_local(run)
        raise
    return run


def stop_local(run: LocalRun, grace_seconds: float = 15.0) -> None:
    """SIGTERM every service (as ECS does), SIGKILL what is still running after the grace period, then
    stop the venue and moto."""
    for process in run.processes.values():
        process.terminate()
    for process in run.processes.values():
        try:
            process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    run.venue.stop()
    run.moto.stop()


def banner(run: LocalRun) -> str:
    token = trader_token(run.secret_values[Secret.JWT_SIGNING_KEY.value])
    lines = [f"moto (SQS, SNS, DynamoDB, S3, Secrets Manager): {run.endpoint}", f"stub venue: {run.venue.url}"]
    lines += [f"{name}: {run.url(name)}" for name in run.ports]
    lines += ["", "a trader token for this run (valid one hour):", token, ""]
    if "frontend" in run.ports:
        lines += ["submit an order:",
                  f"  curl -s -X POST {run.url('frontend')}/orders -H 'Authorization: Bearer {token}' "
                  "-H 'Content-Type: application/json' "
                  "-d '{\"symbol\": \"ACME\", \"side\": \"BUY\", \"quantity\": 10, \"limitPrice\": \"101.25\"}'",
                  ""]
    lines.append("Ctrl-C stops everything.")
    return "\n".join(lines)


def wait_for_interrupt(run: LocalRun) -> None:
    """Block until Ctrl-C; a service that dies ends the run with its name."""
    try:
        while all(p.poll() is None for p in run.processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        return
    exited = [name for name, p in run.processes.items() if p.poll() is not None]
    raise LocalError(f"{', '.join(exited)} exited; see its log lines above")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # `kill` stops local-up as Ctrl-C does: through stop_local


def local_up(until: Callable[[LocalRun], None] = wait_for_interrupt, output: IO[str] | None = None,
             services: str = "", port_offset: int = 0) -> None:
    """`services`: comma-separated catalog names (default: all); refused before anything starts when one has
    no sample app or calls a service left out, or when its port is taken. SIGTERM stops everything cleanly."""
    chosen = select_services(services)
    run = start_local(output, services=chosen, ports=stable_ports(chosen, port_offset))
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(banner(run), flush=True)
        until(run)
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_local(run)
