"""Test guards: no real credentials, no network beyond loopback, for every test.

An audit hook refuses (and records) any socket connection to a non-loopback
address and any open() of the real user's config or data folders, where the
secrets file and queue live; the environment is stripped of credential
variables and HOME/XDG folders point at a temporary directory.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from campaign.queue.sqlite import SqliteStore

# CI explores the same examples on every run, so a landing never depends on luck; locally
# hypothesis keeps exploring new ones (and remembers failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

_REAL_HOME = Path.home()
_FORBIDDEN_DIRS: list[str] = []
for _d in (".config/campaign", ".local/share/campaign", "Library/Application Support/campaign"):
    _FORBIDDEN_DIRS.append(str(_REAL_HOME / _d))
VIOLATIONS: list[str] = []
_CRED_PREFIXES = ("CAMPAIGN_", "X_API", "X_ACCESS", "TWITTER_", "MASTODON_", "BLUESKY_")


def _loopback(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: would need DNS, i.e. the network


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _loopback(address[0]):
            VIOLATIONS.append(f"network: connect to {address!r}")
            raise ConnectionRefusedError(f"test guard: no network beyond loopback ({address!r})")
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode()
        if host is not None and not _loopback(host):
            VIOLATIONS.append(f"network: resolve {host!r}")
            raise OSError(f"test guard: no DNS lookups ({host!r})")
    elif event == "open":
        path = args[0]
        if isinstance(path, str | Path) and any(str(path).startswith(d) for d in _FORBIDDEN_DIRS):
            VIOLATIONS.append(f"credentials: open {path}")
            raise PermissionError(f"test guard: real user files are off limits ({path})")


sys.addaudithook(_audit)

# Strip credentials and point every per-user folder at a throwaway one, before any test imports.
_SANDBOX = Path(tempfile.mkdtemp(prefix="campaign-tests-"))
for _k in list(os.environ):
    if _k.startswith(_CRED_PREFIXES):
        del os.environ[_k]
os.environ.update(
    HOME=str(_SANDBOX),
    XDG_CONFIG_HOME=str(_SANDBOX / "config"),
    XDG_DATA_HOME=str(_SANDBOX / "data"),
    XDG_CACHE_HOME=str(_SANDBOX / "cache"),
)


@pytest.fixture(autouse=True)
def _guard() -> object:
    """Fail the test that tried to reach the network or real credentials."""
    before = len(VIOLATIONS)
    yield
    new = VIOLATIONS[before:]
    if new:
        pytest.fail("test guard: " + "; ".join(new))


REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "configs" / "example.yaml"
# Made by tools, not by the tests: caches and the editable install's metadata.
_TOOL_LITTER = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis",
                "campaign.egg-info", ".benchmarks"}


def _repo_entries() -> set[str]:
    out = set()
    for folder in (REPO, REPO / "configs", REPO / "examples", REPO / "tests"):
        if folder.is_dir():
            out |= {str(p.relative_to(REPO)) for p in folder.iterdir() if p.name not in _TOOL_LITTER}
    return out


@pytest.fixture(autouse=True)
def _leaves_the_checkout_clean() -> object:
    """Fail the test that wrote into the checkout (outputs belong under tmp_path)."""
    before = _repo_entries()
    yield
    new = sorted(_repo_entries() - before)
    if new:
        pytest.fail("the test wrote into the checkout: " + ", ".join(new))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A SQLite job store in tmp_path, closed after the test."""
    from campaign.queue.sqlite import SqliteStore

    s = SqliteStore(tmp_path / "q.sqlite3")
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium, one per test module (tests.helpers.launch_chromium)."""
    from tests.helpers import launch_chromium

    yield from launch_chromium()
