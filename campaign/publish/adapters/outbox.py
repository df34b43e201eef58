"""The outbox adapter: "publishes" each post as a JSON file, for dry campaigns and for tests.

Posts land in `<outbox>/<account>/<key>.json` (`<outbox>` is the account's `path:`,
relative to the campaign YAML, or `outbox/` beside it), written atomically (a temp
file, then `os.replace`), so a reader never sees half a post. The file is named by
the job's idempotency key: publishing the same key twice returns the first post
(like Bluesky's record key) and appends the key to `repeats.log`, which the crash
tests use to prove the worker never sent a landed post again. Images are copied
into `<outbox>/<account>/media/`. With `simulate: x` (or mastodon, bluesky) the
platform's text rules are enforced, and a post that does not fit is rejected.

Fault injection, for tests, from the environment:

    CAMPAIGN_OUTBOX_FAIL="transient:0.2,ambiguous:0.05,permanent:0.05,crash-before:0.01,crash-after:0.01,delay:0.1"
    CAMPAIGN_OUTBOX_SEED=7

`transient` fails before writing; `ambiguous` writes the post, then fails as if the
answer was lost; `permanent` rejects; `crash-before` kills the process (`os._exit`)
with the post half written (a temp file, never renamed); `crash-after` kills it
right after the post landed; `delay` sleeps that many seconds inside each call.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from campaign import platforms
from campaign.errors import AdapterError, RejectedError, TransientError
from campaign.models import AccountInfo, Draft, Metrics, RemoteRef
from campaign.platforms import Rules
from campaign.publish.adapters.base import AdapterContext

FAIL_ENV = "CAMPAIGN_OUTBOX_FAIL"
SEED_ENV = "CAMPAIGN_OUTBOX_SEED"
CRASH_EXIT = 86  # distinctive, so a test can tell an injected crash from a real one
_KEY = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_FAULTS = ("transient", "ambiguous", "permanent", "crash-before", "crash-after")


@dataclass(frozen=True, slots=True)
class Faults:
    """Probabilities of each injected fault per publish call, and a delay in seconds."""

    rates: dict[str, float]
    delay: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> Faults:
        rates: dict[str, float] = {}
        delay = 0.0
        for item in filter(None, (s.strip() for s in spec.split(","))):
            name, _, value = item.partition(":")
            try:
                number = float(value)
            except ValueError:
                raise AdapterError(f"{FAIL_ENV}: '{item}' is not NAME:NUMBER", platform="outbox") from None
            if name == "delay":
                delay = number
            elif name in _FAULTS and 0 <= number <= 1:
                rates[name] = number
            else:
                raise AdapterError(f"{FAIL_ENV}: unknown fault '{item}'; use {', '.join(_FAULTS)} "
                                   "(a probability 0..1) or delay:SECONDS", platform="outbox")
        return cls(rates, delay)

    def draw(self, rng: random.Random) -> str | None:
        """At most one fault for this call."""
        x = rng.random()
        for name in _FAULTS:
            p = self.rates.get(name, 0.0)
            if x < p:
                return name
            x -= p
        return None


def _write_atomic(path: Path, data: bytes, *, crash_midway: bool = False) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if crash_midway:
            os._exit(CRASH_EXIT)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutboxAdapter:
    """Writes posts to a folder instead of a network."""

    name: ClassVar[str] = "outbox"
    credential_fields: ClassVar[tuple[str, ...]] = ()
    metrics_batch: ClassVar[int] = 100
    #: what `metrics` takes as the present (tests set it to move time)
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    def __init__(self, ctx: AdapterContext):
        self.ctx = ctx
        root = ctx.settings.get("path")
        base = Path(root).expanduser() if root else Path("outbox")
        if not base.is_absolute():
            base = ctx.base_dir / base
        self.folder = base / ctx.account
        self.faults = Faults.parse(os.environ.get(FAIL_ENV, ""))
        seed = os.environ.get(SEED_ENV, "0")
        self._rng = random.Random(f"{seed}:{ctx.account}:{os.getpid()}")
        self._rules: Rules | None = None

    @property
    def rules(self) -> Rules:
        """The simulated platform's text rules (`campaign.platforms`, imported on first use)."""
        if self._rules is None:
            self._rules = platforms.get(self.ctx.settings.get("simulate") or "outbox")
        return self._rules

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise RejectedError(f"invalid idempotency key {key!r}", platform="outbox", account=self.ctx.account)
        return self.folder / f"{key}.json"

    def _ref(self, path: Path) -> RemoteRef:
        return RemoteRef(id=path.stem, url=path.resolve().as_uri(), extra={"path": str(path)})

    def close(self) -> None:
        """Nothing to release: every post is written and closed at once."""

    def check(self) -> AccountInfo:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise AdapterError(f"cannot create the outbox {self.folder}: {e.strerror}",
                               platform="outbox", account=self.ctx.account) from None
        if not os.access(self.folder, os.W_OK):
            raise AdapterError(f"the outbox {self.folder} is not writable", platform="outbox",
                               account=self.ctx.account)
        handle = str(self.ctx.settings.get("handle") or self.ctx.account)
        return AccountInfo(self.ctx.account, "outbox", handle, url=self.folder.resolve().as_uri())

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        path = self._path(key)
        return self._ref(path) if path.is_file() else None

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        path = self._path(key)
        fault = self.faults.draw(self._rng) if self.faults.rates else None
        if self.faults.delay:
            time.sleep(self.faults.delay)
        acct = self.ctx.account
        if fault == "transient":
            raise TransientError("simulated outage (nothing written)", platform="outbox", account=acct)
        if fault == "permanent":
            raise RejectedError("simulated rejection", platform="outbox", account=acct)
        self.folder.mkdir(parents=True, exist_ok=True)
        if path.exists():  # same key again: the first post stands (and the repeat is on record)
            with open(self.folder / "repeats.log", "a", encoding="utf-8") as log:
                log.write(key + "\n")
            return self._ref(path)
        rules = self.rules
        for i, text in enumerate(draft.parts):
            if not rules.fits(text):
                raise RejectedError(f"part {i + 1} is too long for {rules.name}: "
                                    f"{rules.length(text)}/{rules.max_chars}", platform="outbox", account=acct)
        if len(draft.media) > rules.max_images:
            raise RejectedError(f"{len(draft.media)} images; {rules.name} takes {rules.max_images}",
                                platform="outbox", account=acct)
        record: dict[str, Any] = {
            "key": key,
            "account": acct,
            "handle": self.ctx.settings.get("handle"),
            "simulate": self.ctx.settings.get("simulate"),
            "highlight_id": draft.highlight_id,
            "text": draft.text,
            "parts": list(draft.parts) if len(draft.parts) > 1 else None,
            "language": draft.language,
            "link": draft.link,
            "reply_to": {"id": reply_to.id, "url": reply_to.url} if reply_to else None,
            "media": [self._copy_media(m.path) | {"alt": m.alt, "mime": m.mime, "width": m.width,
                                                  "height": m.height} for m in draft.media],
            "posted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        facets = getattr(rules, "facets", None)
        if callable(facets):  # what a facet platform would receive: links, tags (mentions need a DID)
            shown = rules.show_link(draft.link) if draft.link else None
            record["facets"] = facets(draft.text, links={shown: draft.link} if shown else None)
        data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        _write_atomic(path, data, crash_midway=fault == "crash-before")
        if fault == "crash-after":
            os._exit(CRASH_EXIT)
        if fault == "ambiguous":
            raise TransientError("simulated lost answer (the post landed)", ambiguous=True,
                                 platform="outbox", account=acct)
        return self._ref(path)

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        """Simulated figures for each post (`simulated=True`), the same for the same post at the
        same age (`adapters.metrics.simulated`); a post whose file was deleted is gone."""
        from campaign.publish.adapters.metrics import simulated

        out: dict[str, Metrics] = {}
        now = self.clock()
        for ref in refs:
            path = Path(ref.extra.get("path") or self.folder / f"{ref.id}.json")
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                posted = datetime.fromisoformat(str(record.get("posted_at")))
            except FileNotFoundError:
                out[ref.id] = Metrics(gone=True, simulated=True)
                continue
            except (OSError, ValueError, TypeError, AttributeError) as e:
                raise AdapterError(f"cannot read the outbox post {path}: {e}", platform="outbox",
                                   account=self.ctx.account) from None
            if posted.tzinfo is None:  # written without a zone: it was UTC
                posted = posted.replace(tzinfo=UTC)
            hours = (now - posted).total_seconds() / 3600
            out[ref.id] = simulated(ref.id, str(record.get("highlight_id") or ""),
                                    record.get("simulate"), hours)
        return out

    def _copy_media(self, source: str) -> dict[str, str]:
        src = Path(source)
        try:
            data = src.read_bytes()
        except OSError as e:
            raise RejectedError(f"cannot read image {src}: {e.strerror}", platform="outbox",
                                account=self.ctx.account) from None
        dest = self.folder / "media" / src.name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(dest, data)
        return {"file": f"media/{src.name}", "source": str(src)}
