"""A small response leaves waitress in one write with its headers; every other kind of
response (chunked, large, body-less, over its Content-Length, HEAD) is sent as waitress sends
it. Against a real server on a loopback port."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from waitress.channel import HTTPChannel

from clusterkg.config import Settings
from clusterkg.web.connections import ONE_WRITE_BYTES
from tests.web.conftest import guarded_live

BIG = b"x" * (ONE_WRITE_BYTES + 10)


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/small":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"hello"]
    if path == "/no-length":  # one chunk: waitress sets Content-Length itself
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello"]
    if path == "/chunked":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"hel", b"lo"])
    if path == "/big":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [BIG]
    if path == "/empty":
        start_response("204 No Content", [])
        return [b""]
    if path == "/over":  # more than its Content-Length: waitress cuts it
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
        return [b"hello"]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"no"]


@contextmanager
def server() -> Iterator[int]:
    with guarded_live(app, threads=2, settings=Settings.from_env()) as srv:
        yield srv.effective_port


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with server() as p:
        yield p


@pytest.fixture
def writes(monkeypatch) -> list[bytes]:
    seen: list[bytes] = []
    original = HTTPChannel.write_soon

    def counting(self, data):
        seen.append(bytes(data) if isinstance(data, bytes | bytearray) else b"<buffer>")
        return original(self, data)

    monkeypatch.setattr(HTTPChannel, "write_soon", counting)
    return seen


def get(port: int, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path)
    resp = conn.getresponse()
    resp.body = resp.read()  # type: ignore[attr-defined]
    conn.close()
    return resp


@pytest.mark.parametrize("path", ["/small", "/no-length"])
def test_small_response_is_one_write(port, writes, path):
    resp = get(port, path)
    assert (resp.status, resp.body, resp.headers["Content-Length"]) == (200, b"hello", "5")
    assert (
        len(writes) == 1 and writes[0].startswith(b"HTTP/1.1 200") and writes[0].endswith(b"hello")
    )


def test_chunked_response(port, writes):
    resp = get(port, "/chunked")
    assert resp.body == b"hello" and resp.headers["Transfer-Encoding"] == "chunked"
    assert len(writes) > 1  # the headers, then each chunk as waitress frames it


def test_big_response(port, writes):
    resp = get(port, "/big")
    assert resp.body == BIG and resp.headers["Content-Length"] == str(len(BIG))
    assert len(writes) == 2  # the headers, then the body without a copy


def test_bodyless_and_head(port):
    assert get(port, "/empty").status == 204
    head = get(port, "/small", "HEAD")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", "5")


def test_over_content_length_is_cut(port):
    resp = get(port, "/over")
    assert resp.body == b"hel"


def test_keep_alive_serves_many(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for path in ["/small", "/chunked", "/big", "/small"] * 3:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.read() in (b"hello", BIG)
    conn.close()
