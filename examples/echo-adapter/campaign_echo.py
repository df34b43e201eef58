"""`echo`: an example third-party adapter for `campaign`.

It "posts" by appending one JSON line per post to `echo.jsonl` in the account's
state folder (or the `settings: {path: ...}` folder, relative to the campaign
YAML), and shows everything a real adapter needs: a name, credential fields
(read with `campaign.publish.credentials.lookup`, so `campaign accounts` lists them),
text rules, `check`, `publish` with an idempotency key and reply target, `find`,
and the optional `metrics` that `campaign report` reads. Register it in your pyproject.toml:

    [project.entry-points."campaign.adapters"]
    echo = "campaign_echo:EchoAdapter"
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign.errors import RejectedError
from campaign.models import AccountInfo, Draft, Metrics, RemoteRef
from campaign.platforms import Rules
from campaign.publish.adapters.base import AdapterContext


@dataclass(frozen=True, slots=True, kw_only=True)
class EchoRules(Rules):
    """Plain code points, 500 per post, 2 images of 2 MB, square cards, handles like @name."""

    name: str = "echo"
    label: str = "Echo"
    max_chars: int = 500
    max_images: int = 2
    max_image_bytes: int = 2_000_000
    alt_max: int = 420
    card_sizes: tuple[str, ...] = ("square",)
    handle_pattern: str = r"@[a-z0-9_]{1,30}"
    handle_example: str = "@name"

    def length(self, text: str) -> int:
        return len(text)


class EchoAdapter:
    name = "echo"
    credential_fields = ("token",)
    rules = EchoRules()

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        settings: dict[str, Any] = dict(ctx.settings.get("settings") or {})
        folder = Path(settings["path"]) if settings.get("path") else ctx.state_dir
        self.log = folder if folder.is_absolute() else ctx.base_dir / folder
        self.log = self.log / "echo.jsonl"

    def _posts(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line]

    def check(self) -> AccountInfo:
        self.ctx.credentials(self.credential_fields)  # AuthError naming what is missing
        return AccountInfo(self.ctx.account, self.name, "@" + self.ctx.account, url=self.log.as_uri())

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        if not self.rules.fits(draft.text):
            raise RejectedError(f"too long for echo: {len(draft.text)}/{self.rules.max_chars}",
                                platform=self.name, account=self.ctx.account)
        found = self.find(draft, key=key)
        if found is not None:
            return found
        post = {"id": key, "text": draft.text, "reply_to": reply_to.id if reply_to else None,
                "media": [m.alt for m in draft.media]}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(post, ensure_ascii=False) + "\n")
        return RemoteRef(key, f"echo://{self.ctx.account}/{key}")

    def close(self) -> None:
        """Nothing to release: each post is written and closed at once."""

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        for post in self._posts():
            if post["id"] == key:
                return RemoteRef(key, f"echo://{self.ctx.account}/{key}")
        return None

    metrics_batch = 50  # optional: how many refs `campaign report` hands `metrics` at a time

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        """Optional: each post's engagement, keyed by `ref.id`. Echo has no audience, so a post's
        counts are whatever its line says (`"likes": 3`, ...; 0 when absent); a post whose line
        is gone was deleted: `Metrics(gone=True)`, not an error."""
        posts = {p["id"]: p for p in self._posts()}
        out: dict[str, Metrics] = {}
        for ref in refs:
            post = posts.get(ref.id)
            out[ref.id] = Metrics(gone=True) if post is None else Metrics(
                likes=int(post.get("likes", 0)), reposts=int(post.get("reposts", 0)),
                replies=int(post.get("replies", 0)))
        return out
