"""A tiny threaded HTTP server on 127.0.0.1 with routes, a record of requests, and faults.

Platform fakes subclass `FakeServer`, register handlers with `route`, and tests
inject faults with `fail_next` (status + body + headers), `drop_next` (close
the connection without answering: the client cannot tell if the post landed),
or `delay_next` (answer late, to trigger client timeouts).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _QuietServer(ThreadingHTTPServer):
    """A loopback server that does not print a client's dropped connection to stderr: tests drop
    connections on purpose (timeouts, aborted uploads), and a late traceback from a daemon thread
    would land in whatever output the next test is capturing."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, bytes/str -> as is
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    match: str  # regex on "METHOD /path"
    kind: str  # "reply" | "drop" | "delay" | "after"
    reply: Reply | None = None
    seconds: float = 0.0
    times: int = 1


Handler = Callable[[Request, re.Match[str]], Reply]


class FakeServer:
    """Start with `with Server() as srv:`; `srv.url` is http://127.0.0.1:PORT."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._hold: Callable[[Any], bool] | None = None
        self.held = threading.Event()  # a post matching `hold_next` arrived
        self.release = threading.Event()  # set it to let the held post finish

    # -- set-up -------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern + r"/?$"), handler))

    def fail_next(self, match: str, status: int, body: Any = None,
                  headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next `times` requests matching `match` with this error instead."""
        self.faults.append(Fault(match, "reply", Reply(status, body, headers or {}), times=times))

    def drop_next(self, match: str, times: int = 1, after: bool = False) -> None:
        """Close the connection without a reply; with `after`, only once the request was handled."""
        self.faults.append(Fault(match, "after" if after else "drop", times=times))

    def delay_next(self, match: str, seconds: float, times: int = 1) -> None:
        self.faults.append(Fault(match, "delay", seconds=seconds, times=times))

    def hold_next(self, predicate: Callable[[Any], bool]) -> None:
        """Park the next post whose request body matches until `release` is set (`held` tells
        the test it arrived): kill the client meanwhile, and the post lands unacknowledged.
        A platform fake calls `_maybe_hold(body)` where it stores a post."""
        self.held.clear()
        self.release.clear()
        self._hold = predicate

    def _maybe_hold(self, body: Any) -> None:
        if self._hold is not None and self._hold(body):
            self._hold = None
            self.held.set()
            self.release.wait(30)

    # -- inspection ---------------------------------------------------------------------
    def received(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Requests received, filtered by method and by a regex on the path."""
        with self._lock:
            reqs = list(self.requests)
        return [r for r in reqs
                if (method is None or r.method == method.upper())
                and (path is None or re.search(path, r.path))]

    # -- life cycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                server._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._httpd = _QuietServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- dispatch -----------------------------------------------------------------------
    def _take_fault(self, key: str) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if re.search(f.match, key):
                    f.times -= 1
                    if f.times <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(h.command, split.path, parse_qs(split.query, keep_blank_values=True),
                      {k.lower(): v for k, v in h.headers.items()}, body)
        key = f"{req.method} {req.path}"
        with self._lock:
            self.requests.append(req)
        fault = self._take_fault(key)
        if fault and fault.kind == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault and fault.kind == "reply":
            assert fault.reply is not None
            return self._send(h, fault.reply)
        reply = self._handle(req)
        if fault and fault.kind == "after":  # handled (the post exists) but the answer is lost
            h.close_connection = True
            h.connection.shutdown(2)
            return
        self._send(h, reply)

    def _handle(self, req: Request) -> Reply:
        for method, pattern, handler in self._routes:
            if method == req.method:
                m = pattern.match(req.path)
                if m:
                    try:
                        return handler(req, m)
                    except Exception as e:  # a bug in the fake shows up as a 500 with its reason
                        return Reply(500, {"error": f"fake server bug: {type(e).__name__}: {e}"})
        return Reply(404, {"error": f"no route for {req.method} {req.path}"})

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        body = reply.body
        headers = dict(reply.headers)
        if isinstance(body, dict | list):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        h.send_response(reply.status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
