"""The real HTTP probe against a server on loopback (the only traffic any test sends)."""
from __future__ import annotations

import http.server
import socket
import threading

import pytest

from tools.verify.probe import UNREACHABLE, http_status


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/health")
            self.end_headers()
            return
        self.send_response({"/health": 200, "/down": 503}.get(self.path, 404))
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def loopback_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path, status", [("/health", 200), ("/down", 503), ("/nowhere", 404), ("/moved", 200)])
def test_status_is_the_answer_after_redirects(loopback_server, path, status):
    assert http_status(f"{loopback_server}{path}", 2.0) == status


def test_a_closed_port_is_unreachable_not_an_answer():
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(UNREACHABLE):
            http_status(f"http://127.0.0.1:{port}/health", 2.0)


def test_a_host_beyond_loopback_is_unreachable_in_tests():
    # tests/verify/conftest.py refuses to resolve it, so nothing is sent
    with pytest.raises(UNREACHABLE, match=r"refused to resolve alb-dev-1\.us-east-1\.elb\.amazonaws\.com"):
        http_status("http://alb-dev-1.us-east-1.elb.amazonaws.com/health", 2.0)


def test_a_host_name_that_fails_idna_encoding_raises_value_error_not_unreachable():
    # A label over 63 characters: the encoding fails locally (the check reports it as "not probed")
    with pytest.raises(ValueError, match="label empty or too long"):
        http_status(f"http://{'a' * 64}.us-east-1.elb.amazonaws.com/health", 2.0)
