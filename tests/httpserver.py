"""A real HTTP server on 127.0.0.1 for tests that fetch, and its pytest fixture ``http_server``.

It listens on a free port in a background thread. Tests register routes with
``http_server.route("/path", status=200, body=b"...", headers={...})`` and build URLs
with ``http_server.url("/path")``. Every request received is kept in
``http_server.requests`` (method, path, headers with lower-cased names, body), and
``http_server.peak_in_flight`` says how many were ever being answered at once.

Built-in routes, for misbehaving servers:

* ``/redirect?to=<url>&status=302`` — redirects to ``to``.
* ``/chain/<n>`` — redirects to ``/chain/<n-1>``; ``/chain/0`` answers "done".
* ``/drip?interval=0.5&for=8`` — announces a large body, then sends one byte per interval.
* ``/gzip-bomb`` — 50 MB of zeros, gzip-compressed to about 50 KB.
* ``/huge?size=<bytes>&chunked=1`` — that many bytes, with or without Content-Length.
* ``/status/<code>`` — an empty answer with that status.
* ``/sleep?seconds=<s>`` — waits, then answers "awake" (or never, if the test ends first).
"""

from __future__ import annotations

import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

GZIP_BOMB_SIZE = 50 * 1024 * 1024
_gzip_bomb: bytes | None = None
_gzip_bomb_lock = threading.Lock()


def gzip_bomb() -> bytes:
    """``GZIP_BOMB_SIZE`` zero bytes, gzip-compressed; built once, a megabyte at a time."""
    global _gzip_bomb
    with _gzip_bomb_lock:
        if _gzip_bomb is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            megabyte = bytes(1024 * 1024)
            parts = [compressor.compress(megabyte) for _ in range(GZIP_BOMB_SIZE // len(megabyte))]
            parts.append(compressor.flush())
            _gzip_bomb = b"".join(parts)
        return _gzip_bomb


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # send the body with chunked encoding, without Content-Length
    delay: float = 0.0  # seconds to wait before answering


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-cased names
    body: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping or dripping never blocks shutdown
    owner: LocalHTTPServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (often on purpose: limits, timeouts) are not errors.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked bodies and keep-alive
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        owner._record(ReceivedRequest(self.command, self.path, headers, body))
        parts = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        route = owner._routes.get(parts.path)
        owner._enter()
        try:
            if route is not None:
                if route.delay:
                    owner._stopping.wait(route.delay)
                self._send(route)
            else:
                self._builtin(parts.path, query)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, which is often the point of the test
        finally:
            owner._leave()

    def _builtin(self, path: str, query: dict[str, str]) -> None:
        stopping = self.server.owner._stopping
        if path == "/redirect":
            self._send(Route(status=int(query.get("status", 302)), headers={"Location": query["to"]}))
        elif path.startswith("/chain/"):
            left = int(path.removeprefix("/chain/"))
            if left <= 0:
                self._send(Route(body=b"done", headers={"Content-Type": "text/plain"}))
            else:
                self._send(Route(status=302, headers={"Location": f"/chain/{left - 1}"}))
        elif path == "/drip":
            interval = float(query.get("interval", 0.5))
            # Gives up (leaving the body incomplete) after ``for`` seconds, so a client
            # without a deadline makes a test fail instead of hang.
            until = time.monotonic() + float(query.get("for", 8))
            self._head(200, {"Content-Type": "text/plain", "Content-Length": "1000000"})
            while time.monotonic() < until and not stopping.wait(interval):
                self.wfile.write(b"x")
                self.wfile.flush()
        elif path == "/gzip-bomb":
            self._send(Route(body=gzip_bomb(), headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"}))
        elif path == "/huge":
            size = int(query.get("size", 10 * 1024 * 1024))
            chunked = query.get("chunked") == "1"
            headers = {"Content-Type": "application/octet-stream"}
            headers.update({"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)})
            self._head(200, headers)
            block = b"a" * 65536
            sent = 0
            while sent < size and not stopping.is_set():
                piece = block[: size - sent]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        elif path.startswith("/status/"):
            self._send(Route(status=int(path.removeprefix("/status/"))))
        elif path == "/sleep":
            if not stopping.wait(float(query.get("seconds", 30))):
                self._send(Route(body=b"awake"))
        else:
            self._send(Route(status=404, body=b"no such route"))

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, route: Route) -> None:
        headers = dict(route.headers)
        if route.chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(route.body))
        self._head(route.status, headers)
        if self.command == "HEAD" or route.status in (204, 304):
            return
        if route.chunked:
            for start in range(0, len(route.body), 1024):
                piece = route.body[start : start + 1024]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(route.body)


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 with routes a test can add."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[ReceivedRequest] = []
        self._in_flight = 0
        self.peak_in_flight = 0  # the most requests being answered at one time
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server", daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        chunked: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Answer requests for ``path`` (query string ignored) with this response, after ``delay`` seconds."""
        self._routes[path] = Route(
            status=status, body=body, headers=dict(headers or {}), chunked=chunked, delay=delay
        )

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Answer requests for ``path`` with a redirect to ``location``."""
        self.route(path, status=status, headers={"Location": location})

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers that sleep or drip
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    server = LocalHTTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
