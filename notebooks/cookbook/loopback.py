"""A small HTTP server on 127.0.0.1 that serves real-format samples to the online code paths.

The notebooks keep the book's online code (Wikipedia API, Gutenberg, Stack Exchange dumps, ...).
Without internet they point the same code at this server, so the code that would talk to the real
service runs for real: HTTP, parsing, pagination and error handling included. The tests use it
to produce failures on purpose (404, slow answers, cut-off transfers).

    with serve({"/books/100.txt": Route(text.encode())}) as server:
        fetch_book(100, base_url=server.url("/books"))
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping
from urllib.parse import urlsplit, parse_qs


@dataclass
class Route:
    """What to answer for one path.

    ``truncate_at`` sends only that many bytes of ``body`` while announcing the full length,
    then closes the connection (an interrupted transfer). ``delay`` waits before answering.
    ``handler`` computes the answer from ``(path, query)`` and returns a Route (for APIs).
    """

    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    delay: float = 0.0
    truncate_at: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    handler: Callable[[str, dict], "Route"] | None = None


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args):  # keep notebook and test output clean
        pass

    def do_GET(self):  # noqa: N802 (http.server naming)
        parts = urlsplit(self.path)
        self.server.requests.append(self.path)
        route = self.server.routes.get(parts.path)
        if route is None:
            route = next((r for prefix, r in self.server.routes.items()
                          if prefix.endswith("*") and parts.path.startswith(prefix[:-1])), None)
        if route is None:
            route = Route(b"not found", status=404, content_type="text/plain")
        if route.handler is not None:
            route = route.handler(parts.path, parse_qs(parts.query))
        if route.delay:
            time.sleep(route.delay)
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for key, value in route.headers.items():
                self.send_header(key, value)
            self.end_headers()
            body = route.body if route.truncate_at is None else route.body[:route.truncate_at]
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        if route.truncate_at is not None:
            self.close_connection = True

    do_POST = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: Mapping[str, Route]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = dict(routes)
        self.requests: list[str] = []


class LoopbackServer:
    """Context manager running a _Server in a daemon thread."""

    def __init__(self, routes: Mapping[str, Route]):
        self._server = _Server(routes)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    def add(self, path: str, route: Route) -> None:
        self._server.routes[path] = route

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(routes: Mapping[str, Route]) -> LoopbackServer:
    return LoopbackServer(routes)
