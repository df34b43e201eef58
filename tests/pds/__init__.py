"""A real Bluesky PDS for the tests: @atproto/dev-env on loopback, driven from Python.

`bash tests/pds/install.sh` (scripts/test runs it) installs the npm packages pinned in
`package.json` and `package-lock.json` here into a cache folder outside the checkout. `start`
runs `node tests/pds/pds.js` with them: a PLC directory and a PDS of their own on free loopback
ports, accounts with app passwords, and a network guard that refuses (and reports on the PDS's
log) any connection or name lookup beyond loopback. `Proxy` sits between a client and the PDS:
it records requests, as the fakes do, and can hold the answer to a post the PDS has created, so
a test can SIGKILL the worker before it hears that the post landed.

Without node or the install, `start` raises `PdsMissing` (plain `pytest` skips, CI fails: see
`required`); a PDS that is installed but does not start raises `PdsFailed` (always a failure).
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import urlopen

from tests.fakes.base import FakeServer, Reply, Request

HERE = Path(__file__).resolve().parent
INSTALL = HERE / "install.sh"
SCRIPT = HERE / "pds.js"
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade", "host", "content-length"}


class PdsMissing(Exception):
    """node or the dev-env install is missing: the message says how to get them."""


class PdsFailed(Exception):
    """The PDS is installed but did not start (the message holds the end of its log)."""


def required() -> bool:
    """Must the real-PDS tests run (scripts/test and CI), or may they be skipped?"""
    return bool(os.environ.get("PDS_TEST_REQUIRED") or os.environ.get("CI"))


def install_dir() -> Path:
    """Where install.sh puts dev-env: $PDS_TEST_DIR (scripts/test sets it), else its default
    under the real user's cache folder (the test sandbox replaced HOME)."""
    if os.environ.get("PDS_TEST_DIR"):
        return Path(os.environ["PDS_TEST_DIR"])
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    env["HOME"] = pwd.getpwuid(os.getuid()).pw_dir
    out = subprocess.run(["bash", str(INSTALL), "--where"], env=env, capture_output=True, text=True,
                         timeout=30)
    if out.returncode != 0:
        raise PdsMissing(out.stderr.strip() or "tests/pds/install.sh --where failed")
    return Path(out.stdout.strip())


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str
    app_password: str


@dataclass
class Pds:
    """A running PDS: `url` (http://127.0.0.1:PORT), its accounts by handle, its log."""

    url: str
    accounts: dict[str, Account]
    proc: subprocess.Popen[bytes]
    log: Path
    seconds: float  # how long it took to start, accounts included
    versions: dict[str, str] = field(default_factory=dict)

    def get(self, method: str, **params: str) -> Any:
        """An unauthenticated XRPC query, as raw JSON."""
        with urlopen(f"{self.url}/xrpc/{method}?{urlencode(params)}", timeout=30) as r:
            return json.loads(r.read())

    def records(self, did: str, collection: str = "app.bsky.feed.post") -> list[dict[str, Any]]:
        """Every record of a collection (`com.atproto.repo.listRecords`): uri, cid, value."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params = {"repo": did, "collection": collection, "limit": "100"}
            if cursor:
                params["cursor"] = cursor
            page = self.get("com.atproto.repo.listRecords", **params)
            out += page["records"]
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return out

    def blob(self, did: str, cid: str) -> bytes:
        with urlopen(f"{self.url}/xrpc/com.atproto.sync.getBlob?did={quote(did)}&cid={quote(cid)}",
                     timeout=30) as r:
            return bytes(r.read())

    def guard_reports(self) -> list[str]:
        """What the network guard refused: connections or lookups beyond loopback."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if line.startswith("network-guard:")]

    def stop(self) -> None:
        """Stop the node process: SIGTERM (it closes the PDS and PLC), then SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(folder: Path, handles: list[str], *, timeout: float = 90.0,
          appview: dict[str, str] | None = None) -> Pds:
    """Start a PLC and a PDS with an account per handle (each handle ends in `.test`);
    their data and log go under `folder`. `appview` ({"postgres": URL, "schema": NAME,
    "redis": HOST:PORT}) also starts an AppView indexing the PDS (dev-env's `TestNetwork`)."""
    node = shutil.which("node")
    if node is None:
        raise PdsMissing("node is not installed (the real-PDS test needs Node 20 and "
                         "`bash tests/pds/install.sh`, which scripts/test runs)")
    home = install_dir()
    if not (home / "node_modules" / "@atproto" / "dev-env" / "package.json").is_file():
        raise PdsMissing(f"@atproto/dev-env is not installed in {home}: run "
                         "`bash tests/pds/install.sh` (scripts/test does)")
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    log = folder / "pds.log"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder),
           "TMPDIR": str(data), "NODE_ENV": "test", "LOG_ENABLED": "false"}
    t0 = time.monotonic()
    with log.open("wb") as err:
        spec: dict[str, Any] = {"accounts": handles}
        if appview:
            spec["appview"] = {"postgres": appview["postgres"], "schema": appview["schema"]}
            env["REDIS_HOST"] = appview["redis"]
        proc = subprocess.Popen([node, str(SCRIPT), str(home), json.dumps(spec)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=folder,
                                env=env, start_new_session=True)
    lines: queue.Queue[bytes] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(b"")

    threading.Thread(target=read, daemon=True, name="pds-stdout").start()
    deadline = t0 + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line:
            try:
                info = json.loads(line)
            except ValueError:
                continue  # a log line: the JSON comes when the PDS is ready
            break
        if line is None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
            raise PdsFailed(f"the PDS did not start within {timeout:.0f} s; its log ({log}):\n"
                            + _tail(log))
        proc.wait(5)  # stdout closed: it exited
        raise PdsFailed(f"the PDS exited with {proc.returncode} before it was ready; its log "
                        f"({log}):\n" + _tail(log))
    accounts = {a["handle"]: Account(a["handle"], a["did"], a["password"], a["appPassword"])
                for a in info["accounts"]}
    return Pds(info["url"], accounts, proc, log, time.monotonic() - t0, info.get("versions", {}))


class Proxy(FakeServer):
    """A loopback HTTP proxy in front of `target`: `requests`/`received` record what passed,
    `created` the PDS's answers to `createRecord`, and `hold_next(predicate)` parks the answer
    to the next created post whose record matches, after the PDS created it (`held` is set;
    the answer goes once `release` is set)."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.created: list[dict[str, Any]] = []
        parts = urlsplit(target)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        for method in ("GET", "POST"):
            self.route(method, r"/.*", self._forward)

    def _forward(self, req: Request, m: Any) -> Reply:
        path = req.path + (f"?{urlencode(req.query, doseq=True)}" if req.query else "")
        headers = {k: v for k, v in req.headers.items() if k not in _HOP}
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(req.method, path, body=req.body if req.method != "GET" else None,
                         headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            out = {k: v for k, v in resp.getheaders() if k.lower() not in _HOP}
        finally:
            conn.close()
        if req.path.endswith("com.atproto.repo.createRecord") and resp.status == 200:
            self.created.append(json.loads(body))
            self._maybe_hold((req.json() or {}).get("record") or {})
        return Reply(resp.status, body, out)
