"""local-up's services live and die with it, on stable ports: `kill` (SIGTERM) stops them through the same
path as Ctrl-C, a SIGKILLed local-up takes them along (Linux parent-death signal), and every run uses the
catalog's ports unless told otherwise."""
from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.catalog import by_name
from tools import local

PROCESSING = by_name("processing-service")


def test_services_listen_on_their_catalog_ports_moved_by_the_offset():
    offset = local.free_port() - PROCESSING.port  # a free spot for processing-service
    assert local.stable_ports((PROCESSING,), offset) == {"processing-service": PROCESSING.port + offset}


def test_a_taken_port_is_refused_with_the_offset_fix():
    with socket.socket() as holder:
        holder.bind((local.HOST, 0))
        holder.listen()
        offset = holder.getsockname()[1] - PROCESSING.port
        with pytest.raises(local.LocalError) as refused:
            local.stable_ports((PROCESSING,), offset)
    assert str(refused.value) == (f"port(s) already in use on 127.0.0.1: processing-service "
                                  f"({PROCESSING.port + offset}); stop what holds them, or run local-up "
                                  f"--port-offset N to move every service by N")


@pytest.mark.parametrize("content, lowest", [
    ("32768\t60999\n", 32768),  # Linux's default
    ("20000 60999\n", 20000),   # a range configured lower is kept clear of too
    ("40000 60999\n", 32768),   # a higher one: never above 32768, below IANA's 49152 as well
    ("", 32768), ("many", 32768),
])
def test_outgoing_connections_take_ports_from_the_kernels_range(tmp_path, content, lowest):
    source = tmp_path / "ip_local_port_range"
    source.write_text(content)
    assert local.outgoing_ports_from(source) == lowest


def test_without_proc_outgoing_ports_are_assumed_from_32768(tmp_path):
    assert local.outgoing_ports_from(tmp_path / "absent") == 32768


def test_a_free_port_range_is_bindable_and_below_the_outgoing_range(monkeypatch):
    monkeypatch.setattr(local, "outgoing_ports_from", lambda: local.LISTEN_PORTS_FROM + 8)
    for _ in range(20):
        first = local.free_port(span=3)
        assert local.LISTEN_PORTS_FROM <= first < first + 3 <= local.LISTEN_PORTS_FROM + 8
        assert all(local.bindable(port) for port in range(first, first + 3))


def test_a_taken_port_in_the_range_makes_free_port_look_elsewhere(monkeypatch):
    taken = set()

    def bindable(port):
        if len(taken) < 5:  # the first five ports asked about are held by someone else
            taken.add(port)
            return False
        return port not in taken

    monkeypatch.setattr(local, "bindable", bindable)
    first = local.free_port(span=2)
    assert len(taken) == 5 and not {first, first + 1} & taken


def test_no_free_port_range_is_a_named_error(monkeypatch):
    monkeypatch.setattr(local, "bindable", lambda port: False)
    monkeypatch.setattr(local, "outgoing_ports_from", lambda: 32768)
    with pytest.raises(local.LocalError) as refused:
        local.free_port(span=3, attempts=4)
    assert str(refused.value) == "no 3 free consecutive port(s) on 127.0.0.1 between 10000 and 32765 after 4 tries"


def test_a_held_port_is_not_bindable():
    with socket.socket() as holder:
        holder.bind((local.HOST, 0))
        holder.listen()
        assert local.bindable(holder.getsockname()[1]) is False


def _pdeathsig(queue) -> None:
    import ctypes
    local._die_with_parent()
    value = ctypes.c_int()
    ctypes.CDLL(None).prctl(2, ctypes.byref(value))  # PR_GET_PDEATHSIG
    queue.put(value.value)


@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is a Linux prctl")
def test_a_child_is_bound_to_die_with_its_parent():
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_pdeathsig, args=(queue,))
    child.start()
    child.join(10)
    assert queue.get(timeout=5) == signal.SIGTERM


SCRIPT = """
import sys
from tools import local
local.local_up(services="processing-service", port_offset=int(sys.argv[1]))
"""


def _children(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return stat != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc; the parent-death signal is Linux only")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["kill", "kill -9"])
def test_no_service_outlives_local_up(tmp_path, how):
    offset = local.free_port() - PROCESSING.port
    up = subprocess.Popen([sys.executable, "-c", SCRIPT, str(offset)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, cwd=local.REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        banner = ""
        while "Ctrl-C stops everything." not in banner and time.monotonic() < deadline:
            banner += up.stdout.readline()
        assert f"processing-service: http://127.0.0.1:{PROCESSING.port + offset}" in banner
        [service] = _children(up.pid)
        up.send_signal(how)
        up.wait(30)
        deadline = time.monotonic() + 20
        while _alive(service) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(service), f"processing-service ({service}) outlived local-up after {how.name}"
        if how is signal.SIGTERM:
            assert up.returncode == 0  # stopped through stop_local, as Ctrl-C does
    finally:
        up.kill()
        up.wait()


def test_sigterm_is_handled_as_ctrl_c_while_local_up_runs_and_restored_after(monkeypatch):
    seen = {}
    monkeypatch.setattr(local, "start_local", lambda output, services, ports: "run")
    monkeypatch.setattr(local, "banner", lambda run: "banner")
    monkeypatch.setattr(local, "stop_local", lambda run: seen.setdefault("stopped", run))
    before = signal.getsignal(signal.SIGTERM)

    def until(run):
        seen["handler"] = signal.getsignal(signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            seen["handler"](signal.SIGTERM, None)

    local.local_up(until=until, services="processing-service", port_offset=local.free_port() - PROCESSING.port)
    assert seen == {"handler": local._interrupt, "stopped": "run"}
    assert signal.getsignal(signal.SIGTERM) == before
