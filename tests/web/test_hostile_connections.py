"""Slow and idle connections against a real ``clusterkg serve``: others are still answered.

The flood comes from 127.0.0.2 and the normal client from 127.0.0.1 (Linux routes all of
127/8 to the loopback), so the server sees two clients.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.web.conftest import start_serve

FLOOD_FROM = "127.0.0.2"
PARTIAL_HEADERS = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
#: Complete headers of a POST whose body then only trickles in.
SLOW_BODY = (
    b"POST /api/scenario HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n"
)


@contextmanager
def serving(**env: str) -> Iterator[str]:
    proc, url = start_serve(
        [str(Path(sys.executable).with_name("clusterkg"))],
        "--threads",
        "4",
        "--workers",
        "1",
        env={f"CLUSTERKG_{k.upper()}": v for k, v in env.items()},
    )
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@contextmanager
def flood(
    url: str, count: int, *, trickle: bool, start: bytes = PARTIAL_HEADERS
) -> Iterator[list[socket.socket]]:
    """``count`` connections from :data:`FLOOD_FROM` that never finish their request; with
    ``trickle``, each sends ``start`` and then one more byte every 0.2 s (defeating an idle
    timeout)."""
    parts = urlsplit(url)
    socks = []
    stop = threading.Event()

    def drip() -> None:
        while not stop.wait(0.2):
            for s in socks:
                try:
                    s.send(b"X")
                except OSError:
                    pass  # the server closed it: what the guard is for

    try:
        for _ in range(count):
            s = socket.create_connection(
                (parts.hostname, parts.port), timeout=5, source_address=(FLOOD_FROM, 0)
            )
            if trickle:
                s.sendall(start)
            socks.append(s)
        thread = threading.Thread(target=drip, daemon=True) if trickle else None
        if thread:
            thread.start()
        yield socks
    finally:
        stop.set()
        for s in socks:
            s.close()


def ask(url: str, timeout: float) -> tuple[int, float]:
    """A normal client's ``ASK {}`` from 127.0.0.1: its status and seconds to the answer."""
    parts = urlsplit(url)
    start = time.monotonic()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
        status = conn.getresponse().status
    finally:
        conn.close()
    return status, time.monotonic() - start


def closed_by_server(s: socket.socket, within: float) -> bool:
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_trickled_headers_are_cut_off_and_others_answered():
    # A table of 20 connections, filled by 30 slowloris connections (one client may hold all
    # of them here). Each trickles a byte every 0.2 s, so only the header timeout stops it.
    with (
        serving(connection_limit="20", client_connections="1000", header_timeout="1") as url,
        flood(url, 30, trickle=True) as socks,
    ):
        time.sleep(0.5)  # the table is full now
        status, seconds = ask(url, timeout=15)
        assert status == 200
        # header timeout 1 s + a sweep per second + the answer, with room for a loaded machine
        assert seconds < 8
        assert closed_by_server(socks[0], within=5)


def test_trickled_bodies_are_cut_off_and_others_answered():
    # The same with complete headers and a body that trickles in: the idle timeout (3 s)
    # bounds the whole request, counted from its first byte.
    with (
        serving(connection_limit="20", client_connections="1000", idle_timeout="3") as url,
        flood(url, 30, trickle=True, start=SLOW_BODY) as socks,
    ):
        time.sleep(0.5)
        status, seconds = ask(url, timeout=20)
        assert status == 200
        assert seconds < 10  # 3 s + a sweep per second + the answer, on a loaded machine
        assert closed_by_server(socks[0], within=5)


def test_one_client_cannot_fill_the_connection_table():
    # 60 idle connections (no byte sent) from one client against a table of 50; the header
    # timeout is long, so only the per-client cap of 10 keeps room for others.
    with (
        serving(connection_limit="50", client_connections="10", header_timeout="60") as url,
        flood(url, 60, trickle=False) as socks,
    ):
        assert closed_by_server(socks[-1], within=5)  # over the cap: closed on accept
        status, seconds = ask(url, timeout=15)
        assert status == 200 and seconds < 5
        assert not closed_by_server(socks[0], within=0.5)  # within the cap: kept


def test_settings_of_the_connection_guard_are_checked(tmp_path):
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("clusterkg")), "serve", "--port", "0"],
        env={**os.environ, "CLUSTERKG_HEADER_TIMEOUT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "CLUSTERKG_HEADER_TIMEOUT='0'" in proc.stderr and "more than 0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_limit_variable_sets_its_field():
    from clusterkg.config import Settings

    s = Settings.from_env(
        {
            "CLUSTERKG_CONNECTION_LIMIT": "7",
            "CLUSTERKG_CLIENT_CONNECTIONS": "3",
            "CLUSTERKG_HEADER_TIMEOUT": "1.5",
            "CLUSTERKG_IDLE_TIMEOUT": "9",
            "CLUSTERKG_CLIENT_CONCURRENCY": "2",
            "CLUSTERKG_QUEUE_WAIT": "0",
        }
    )
    assert (s.connection_limit, s.client_connections) == (7, 3)
    assert (s.header_timeout, s.idle_timeout, s.queue_wait) == (1.5, 9.0, 0.0)
    assert s.client_share == 2
    # By default one client may use every worker but one, and at least one.
    assert Settings.from_env({}, workers=4).client_share == 3
    assert Settings.from_env({}, workers=1).client_share == 1
