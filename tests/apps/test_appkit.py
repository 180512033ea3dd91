"""appkit: JWT verification, JSON logs and redaction, the HTTP layer, outbound calls and the process lifecycle."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import runpy
import signal
import socket
import threading
import time
import urllib.request

import jwt as pyjwt
import pytest
from appkit import client, jwt, runner, web
from appkit.logs import REDACTED, JsonLogger, request_id
from appkit.settings import load
from appkit.web import App, HttpError, Response, incoming_request_id

from tests.apps import support

NOW = 1_800_000_000


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def key_set(*keys: tuple[str, bytes, str]) -> str:
    return json.dumps({"keys": [{"kid": kid, "secret": b64(secret), "use": use, "generation": n}
                                for n, (kid, secret, use) in enumerate(keys)]})


SIGNING, NEXT, OTHER = b"s" * 32, b"n" * 64, b"o" * 32
KEY_SET = key_set(("k-sign", SIGNING, "sign"), ("k-next", NEXT, "verify"))
KEYS = jwt.load_keys(KEY_SET)


def token(claims: object, secret: bytes = SIGNING, header: object = None) -> str:
    """A token signed by hand (HS256 over the given header), so tests can build what PyJWT would refuse to."""
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k-sign"} if header is None else header).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


def test_a_valid_token_yields_its_claims():
    assert jwt.verify(token({"sub": "alice", "exp": NOW + 60}), KEYS, now=NOW) == {"sub": "alice", "exp": NOW + 60}


def test_encode_signs_with_the_signing_key_and_names_it():
    encoded = jwt.encode({"sub": "bob", "exp": NOW + 60}, KEYS)
    assert pyjwt.get_unverified_header(encoded) == {"alg": "HS256", "typ": "JWT", "kid": "k-sign"}
    assert jwt.verify(encoded, KEYS, now=NOW)["sub"] == "bob"


def test_a_token_signed_with_a_verify_only_key_of_the_set_is_accepted():
    assert jwt.verify(token({"sub": "a", "exp": NOW + 60}, NEXT, {"alg": "HS256", "kid": "k-next"}), KEYS,
                      now=NOW)["sub"] == "a"


def test_expiry_allows_the_clock_skew_leeway():
    assert jwt.LEEWAY_SECONDS == 30
    assert jwt.verify(token({"sub": "a", "exp": NOW - 30}), KEYS, now=NOW)["sub"] == "a"


@pytest.mark.parametrize("raw,message", [
    ("a.b", "malformed token: expected three dot-separated parts"),
    ("!!.e30.e30", "malformed token: a part is not base64url-encoded JSON"),
    ("e30.e30.e30", "unsupported token algorithm; only HS256"),
    (b64(b"[1]") + ".e30.e30", "malformed token: a part is not base64url-encoded JSON"),
    (token({"sub": "a", "exp": NOW + 60}, header={"alg": "none", "kid": "k-sign"}),
     "unsupported token algorithm; only HS256"),
    (token({"sub": "a", "exp": NOW + 60}, header={"alg": "HS512", "kid": "k-sign"}), "unsupported token algorithm"),
    (token({"sub": "a", "exp": NOW + 60}, header={"alg": "HS256"}), "the token names no key (kid header)"),
    (token({"sub": "a", "exp": NOW + 60}, header={"alg": "HS256", "kid": ""}), "the token names no key (kid header)"),
    (token({"sub": "a", "exp": NOW + 60}, header={"alg": "HS256", "kid": 7}), "the token names no key (kid header)"),
    (token({"sub": "a", "exp": NOW + 60}, OTHER, header={"alg": "HS256", "kid": "k-other"}),
     "the token's key id (kid) is not in this service's key set"),
    (token({"sub": "a", "exp": NOW + 60}, OTHER), "invalid token signature"),
    (token({"sub": "a", "exp": NOW + 60}, NEXT), "invalid token signature"),  # another key of the set, wrong kid
    (token(["not", "an", "object"]), "malformed token: the claims are not a JSON object"),
    (token({"sub": "a", "exp": NOW + 60, "nbf": NOW + 3600}), "invalid token: ImmatureSignatureError"),
    (token({"sub": "a"}), "the token has no finite numeric exp claim"),
    (token({"sub": "a", "exp": True}), "the token has no finite numeric exp claim"),
    (token({"sub": "a", "exp": str(NOW + 60)}), "the token has no finite numeric exp claim"),
    (token({"sub": "a", "exp": float("inf")}), "the token has no finite numeric exp claim"),
    (token({"sub": "a", "exp": float("nan")}), "the token has no finite numeric exp claim"),
    (token({"sub": "a", "exp": NOW - 31}), "the token has expired"),
    (token({"sub": "", "exp": NOW + 60}), "the token has no sub claim naming the trader"),
    (token({"exp": NOW + 60}), "the token has no sub claim naming the trader"),
])
def test_each_bad_token_is_refused_saying_why(raw, message):
    with pytest.raises(jwt.TokenError) as raised:
        jwt.verify(raw, KEYS, now=NOW)
    assert str(raised.value).startswith(message)
    assert "s" * 20 not in str(raised.value)


def tampered(position: int, inserted: str, appended: str = "") -> str:
    """A valid token with characters outside base64url added to part `position`; a lenient decoder skips
    them (and accepts the padding), so the signature would still match."""
    parts = token({"sub": "a", "exp": NOW + 60}).split(".")
    parts[position] = parts[position][:4] + inserted + parts[position][4:] + appended
    return ".".join(parts)


@pytest.mark.parametrize("raw", [tampered(2, "", "="), tampered(2, "**"), tampered(2, "*", "="),
                                 tampered(2, "\n", "="), tampered(2, "+/"), tampered(0, "=")])
def test_base64url_is_decoded_strictly(raw):
    with pytest.raises(jwt.TokenError) as raised:
        jwt.verify(raw, KEYS, now=NOW)
    assert str(raised.value) == "malformed token: a part is not base64url-encoded JSON"
    assert jwt.verify(token({"sub": "a", "exp": NOW + 60}), KEYS, now=NOW)["sub"] == "a"


def test_verify_uses_the_clock_when_no_time_is_given():
    assert jwt.verify(token({"sub": "a", "exp": time.time() + 60}), KEYS)["sub"] == "a"


@pytest.mark.parametrize("text,message", [
    ("not json", "JWT_SIGNING_KEY is not a JSON key set"),
    ("[]", "JWT_SIGNING_KEY must be a JSON object with a non-empty list 'keys'"),
    ('{"keys": []}', "JWT_SIGNING_KEY must be a JSON object with a non-empty list 'keys'"),
    ('{"keys": ["x"]}', "JWT_SIGNING_KEY key 0 needs a unique kid"),
    (key_set(("a", b"x" * 31, "sign")), "JWT_SIGNING_KEY key 0 needs a unique kid"),
    (json.dumps({"keys": [{"kid": "a", "secret": "***", "use": "sign"}]}), "JWT_SIGNING_KEY key 0 needs"),
    (json.dumps({"keys": [{"kid": "a", "secret": "a", "use": "sign"}]}), "JWT_SIGNING_KEY key 0 needs"),
    (key_set(("a", SIGNING, "sign"), ("a", NEXT, "verify")), "JWT_SIGNING_KEY key 1 needs a unique kid"),
    (key_set(("a", SIGNING, "sign"), ("b", NEXT, "other")), "JWT_SIGNING_KEY key 1 needs"),
    (key_set(("a", SIGNING, "verify")), "JWT_SIGNING_KEY marks 0 keys 'sign'; exactly one must be"),
    (key_set(("a", SIGNING, "sign"), ("b", NEXT, "sign")), "JWT_SIGNING_KEY marks 2 keys 'sign'"),
])
def test_a_key_set_that_cannot_sign_or_verify_is_refused_without_its_keys(text, message):
    with pytest.raises(jwt.KeySetError) as raised:
        jwt.load_keys(text)
    assert str(raised.value).startswith(message) and b64(SIGNING) not in str(raised.value)


def test_the_key_set_exposes_its_material_for_redaction():
    assert set(KEYS.material) == {b64(SIGNING), b64(NEXT)} and KEYS.signing_kid == "k-sign"


def test_log_lines_are_json_with_the_request_id_and_fields():
    stream = io.StringIO()
    logger = JsonLogger("api-gateway", "INFO", stream)
    request_id.set("rid-0001-test")
    logger.info("hello", order_id="x", amount=1)
    request_id.set(None)
    line = json.loads(stream.getvalue())
    assert line.keys() == {"timestamp", "level", "service", "request_id", "message", "order_id", "amount"}
    assert (line["level"], line["service"], line["request_id"], line["message"]) == ("INFO", "api-gateway",
                                                                                     "rid-0001-test", "hello")
    assert line["timestamp"].endswith("Z")


def test_levels_below_the_threshold_are_dropped():
    stream = io.StringIO()
    logger = JsonLogger("frontend", "WARNING", stream)
    logger.debug("d")
    logger.info("i")
    logger.warning("w")
    logger.error("e")
    assert [json.loads(line)["level"] for line in stream.getvalue().splitlines()] == ["WARNING", "ERROR"]


def test_secret_values_are_masked_even_when_logged_by_mistake():
    stream = io.StringIO()
    secret = 'pa"ss\\word-123'
    logger = JsonLogger("frontend", "DEBUG", stream, secrets=[secret, "", "pass"])
    logger.debug(f"oops {secret}", value=secret, other="pass")
    assert "pass" not in stream.getvalue() and "word-123" not in stream.getvalue()
    line = json.loads(stream.getvalue())
    assert (line["message"], line["value"], line["other"]) == (f"oops {REDACTED}", REDACTED, REDACTED)


def test_the_default_stream_is_stdout(capsys):
    JsonLogger("frontend").info("to stdout")
    assert json.loads(capsys.readouterr().out)["message"] == "to stdout"


def test_request_ids_are_kept_when_plausible_and_replaced_otherwise():
    assert incoming_request_id("abc-123_XYZ.9") == "abc-123_XYZ.9"
    for bad in (None, "", "short", "has space in it", "x" * 129, "abcdefgh\n"):
        assert len(incoming_request_id(bad)) == 32


def app_with(routes):
    settings = load("frontend", support.static().environment("frontend"))
    stream = io.StringIO()
    return App(settings, JsonLogger("frontend", "DEBUG", stream), routes), stream


def test_dispatch_answers_404_405_and_400_and_hides_crashes():
    def boom(request):
        raise KeyError("secret detail")

    def parse(request):
        request.json()
        return Response.json(200, {})
    app, stream = app_with([("GET", "/boom", boom), ("POST", "/parse", parse)])
    h = support.Harness(support.Built(app), stream)
    assert h.call("GET", "/nowhere").status == 404
    assert (h.call("GET", "/parse").status, support.body(h.call("GET", "/parse"))) == (
        405, {"error": "use POST on /parse"})
    assert support.body(h.call("POST", "/parse", b"{no")) == {"error": "the request body is not valid JSON"}
    assert h.call("POST", "/parse").status == 200  # an empty body is JSON null
    crashed = h.call("GET", "/boom")
    assert crashed.status == 500 and b"secret detail" not in crashed.body
    assert h.lines()[-1]["error"] == "KeyError" and "secret detail" not in stream.getvalue()


def test_http_errors_carry_their_status():
    assert HttpError(418, "teapot").status == 418


@pytest.fixture
def served():
    """frontend's app on a real server (ephemeral loopback port), with its log stream."""
    def teapot(request):
        return Response.json(418, {"echo": request.headers.get("X-Request-Id")})
    app, stream = app_with([("POST", "/teapot", teapot)])
    server = web.make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", stream, server
    server.shutdown()
    server.server_close()


def test_the_server_propagates_the_request_id_and_logs_requests_but_not_healthy_probes(served):
    url, stream, _ = served
    status, body = client.call("GET", f"{url}/health")
    assert status == 200
    token = request_id.set("caller-0001-id")
    try:
        status, body = client.call("POST", f"{url}/teapot", {"x": 1})
    finally:
        request_id.reset(token)
    assert (status, body) == (418, {"echo": "caller-0001-id"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["path"], line["status"], line["request_id"]) for line in lines] == [
        ("/teapot", 418, "caller-0001-id")]


def test_an_oversized_body_is_refused_unread(served):
    url, _, _ = served
    status, body = client.call("POST", f"{url}/teapot", "x" * (70 * 1024))
    assert (status, body) == (413, {"error": "the body is over 65536 bytes"})


def test_malformed_requests_are_logged_as_json(served):
    _url, stream, server = served
    with socket.create_connection(server.server_address[:2]) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")
        raw.recv(1024)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["level"] == "WARNING" and "Bad request" in line["message"]


def test_a_non_json_answer_reads_as_none(served, monkeypatch):
    url, _, _ = served

    class Raw:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b"<html>"
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: Raw())
    assert client.call("GET", f"{url}/") == (200, None)


def test_an_unreachable_callee_raises_naming_only_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(client.Unreachable) as raised:
        client.call("GET", f"http://127.0.0.1:{port}/x", headers={"X-Api-Key": "secret-key"})
    assert str(raised.value) == f"GET http://127.0.0.1:{port}/x failed: URLError"
    assert raised.value.maybe_delivered is False  # never connected: safe to send again


def test_a_callee_that_does_not_answer_may_have_the_request():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(client.Unreachable) as raised:
            client.call("POST", f"http://127.0.0.1:{port}/orders", {"x": 1}, timeout=0.2)
    assert str(raised.value) == f"POST http://127.0.0.1:{port}/orders failed: TimeoutError"
    assert raised.value.maybe_delivered is True  # the request was sent: sending it again could repeat it


def test_main_serves_until_sigterm_and_restores_the_handlers(monkeypatch):
    env = support.static().environment("frontend")
    monkeypatch.setattr(runner, "make_server", lambda app, host: web.make_server(app, "127.0.0.1", 0))
    stop = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    from frontend.app import build
    stop.start()
    assert runner.main("frontend", build, env) == 0
    assert signal.getsignal(signal.SIGTERM) is before


def test_each_image_entry_point_runs_main(monkeypatch):
    seen = []
    monkeypatch.setattr(runner, "main", lambda name, build: seen.append((name, build.__module__)) or 0)
    for module in ("frontend", "api_gateway", "processing_service"):
        with pytest.raises(SystemExit) as exited:
            runpy.run_module(module, run_name="__main__")
        assert exited.value.code == 0
    assert seen == [("frontend", "frontend.app"), ("api-gateway", "api_gateway.app"),
                    ("processing-service", "processing_service.app")]



def test_start_logs_incomplete_settings_and_still_binds():
    from frontend.app import build

    from tools.local import free_port
    stream = io.StringIO()
    env = {**support.static().environment("frontend", API_GATEWAY_URL=None), "PORT": str(free_port())}
    server, _built = runner.start("frontend", build, env, host="127.0.0.1", stream=stream)
    server.server_close()
    line = json.loads(stream.getvalue())
    assert (line["level"], line["missing"]) == ("ERROR", ["API_GATEWAY_URL"])
    assert support.static().jwt_key not in stream.getvalue()


def test_secret_values_include_every_key_of_the_jwt_key_set():
    static = support.static()
    material = jwt.load_keys(static.jwt_key).material
    assert load("frontend", static.environment("frontend")).secret_values() == (static.jwt_key, *material)
    env = static.environment("frontend", JWT_SIGNING_KEY="not-a-key-set")
    assert load("frontend", env).secret_values() == ("not-a-key-set",)


def test_a_jwt_signing_key_that_is_no_key_set_is_a_problem_health_reports():
    settings = load("frontend", support.static().environment("frontend", JWT_SIGNING_KEY="raw-hmac-key"))
    assert not settings.ok and settings.problems == ("JWT_SIGNING_KEY is not a JSON key set",)


def test_secret_values_include_the_strings_inside_a_json_secret():
    env = support.static().environment("processing-service", THIRD_PARTY_API_KEYS='{"v": "inner-key", "n": 1}',
                                       DATABASE_URL="postgresql://u:p@h/db")
    assert load("processing-service", env).secret_values() == ('postgresql://u:p@h/db',
                                                               '{"v": "inner-key", "n": 1}', "inner-key")
    assert load("processing-service", {**env, "DATABASE_URL": ""}).secret_values()[-1] == "inner-key"
    assert load("processing-service", {**env, "DATABASE_URL": "12345"}).secret_values()[0] == "12345"


def test_a_malformed_content_length_is_refused(served):
    _url, _, server = served
    with socket.create_connection(server.server_address[:2]) as raw:
        raw.sendall(b"POST /teapot HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n")
        answer = b""
        while chunk := raw.recv(4096):  # the server closes the connection after this answer
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400") and b"Content-Length must be a whole number" in answer


def exchange(server, data: bytes) -> bytes:
    """Everything the server answers to `data` until it closes the connection (or 3 s of silence)."""
    with socket.create_connection(server.server_address[:2]) as raw:
        raw.settimeout(3)
        raw.sendall(data)
        answer = b""
        try:
            while chunk := raw.recv(4096):
                answer += chunk
        except TimeoutError:  # the connection stayed open: the test's assertions say what that means
            pass
    return answer


def test_a_chunked_body_is_refused_and_the_connection_closed(served):
    """Without Content-Length the body would be read as the next request (request smuggling)."""
    _, stream, server = served
    smuggled = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
    answer = exchange(server, b"POST /teapot HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411") and b"Connection: close" in head
    assert json.loads(payload) == {"error": "Transfer-Encoding is not supported: send the body with Content-Length"}
    assert answer.count(b"HTTP/1.1") == 1  # nothing after the refusal: the smuggled request was never read
    assert json.loads(stream.getvalue().splitlines()[-1])["status"] == 411


def test_http_servers_own_errors_are_json_with_a_fresh_request_id(served):
    _, stream, server = served
    answer = exchange(server, b"POST /teapot HTTP/1.1\r\nHost: x\r\nX-Request-Id: caller-0001-id\r\n"
                              b"Content-Length: 0\r\n\r\nBREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
    first, second = answer.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"418") and second.startswith(b"501")
    head, _, payload = second.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head and b"Connection: close" in head
    assert json.loads(payload) == {"error": "Unsupported method ('BREW')"}
    refused = json.loads(stream.getvalue().splitlines()[-1])
    assert refused["level"] == "WARNING" and "BREW" in refused["message"]
    # the connection's previous request id must not label the next request's lines or answer
    assert refused["request_id"] != "caller-0001-id" and len(refused["request_id"]) == 32
    assert f"X-Request-Id: {refused['request_id']}".encode() in head


def test_an_error_answer_to_head_has_no_body(served):
    _, _, server = served
    head, _, payload = exchange(server, b"HEAD /teapot HTTP/1.1\r\nHost: x\r\n\r\n").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 501") and b"Content-Type: application/json" in head and payload == b""


def test_a_connection_error_is_logged_as_json_without_a_traceback(served, capsys):
    _, stream, server = served
    try:
        raise BrokenPipeError("client went away")
    except BrokenPipeError:
        server.handle_error(None, ("127.0.0.1", 1))
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert (line["message"], line["error"]) == ("connection failed", "BrokenPipeError")
    assert capsys.readouterr().err == ""
