"""Helpers shared by the tests: queue drafts and plans, a scripted adapter and clock, a pack sample."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from campaign import platforms
from campaign.models import (
    AccountInfo,
    Card,
    Draft,
    Highlight,
    MediaRef,
    PlannedPost,
    RemoteRef,
)
from campaign.pack import Brief, Person, write_pack
from campaign.publish.worker import (
    Worker,
)
from campaign.queue import (
    CampaignRecord,
    enqueue_plan,
)
from campaign.queue.sqlite import SqliteStore

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def make_draft(hid: str = "h1", account: str = "acct", parts: tuple[str, ...] = ("hello",),
               platform: str = "outbox", media: tuple[MediaRef, ...] = ()) -> Draft:
    return Draft(highlight_id=hid, account=account, platform=platform, parts=parts,
                 lengths=tuple(len(p) for p in parts), limit=500, media=media)


def make_plan(drafts: list[Draft], start: datetime = T0, step: timedelta = timedelta(minutes=1)) -> list[PlannedPost]:
    out = []
    for i, d in enumerate(drafts):
        for k in range(len(d.parts)):
            out.append(PlannedPost(d, k, start + i * step, "Europe/Paris"))
    return out


def record(slug: str = "camp", accounts: dict | None = None, base_dir: str = ".") -> CampaignRecord:
    return CampaignRecord(slug=slug, name=slug, zone="Europe/Paris", language="en", base_dir=base_dir,
                          config_path=None, accounts=accounts or {"acct": {"platform": "outbox"}}, anchor=T0)


def queue(store: SqliteStore, drafts: list[Draft], *, slug: str = "camp", now: datetime = T0, **kw):
    return enqueue_plan(store, record(slug, **kw), make_plan(drafts), now=now)


class Clock:
    def __init__(self, t: datetime = T0):
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@dataclass
class Scripted:
    """An adapter whose publish answers come from a script (an exception or None = success)."""

    script: list[BaseException | None] = field(default_factory=list)
    posted: dict[str, tuple[Draft, RemoteRef | None]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    land_on_error: bool = False
    name = "scripted"
    credential_fields = ()
    rules = None

    def check(self) -> AccountInfo:
        return AccountInfo("a", "scripted", "@a")

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        self.calls.append(f"publish {key}")
        answer = self.script.pop(0) if self.script else None
        if answer is None or self.land_on_error:
            self.posted[key] = (draft, reply_to)
        if answer is not None:
            raise answer
        return RemoteRef(f"id-{key}", f"https://example.test/{key}")

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        self.calls.append(f"find {key}")
        return RemoteRef(f"id-{key}", f"https://example.test/{key}") if key in self.posted else None


def worker(store: SqliteStore, adapter: Scripted, clock: Clock, **kw) -> Worker:
    return Worker(store, lambda job: adapter, now=clock, limits=kw.pop("limits", {}), **kw)


XSS = 'Freedom <script>window.__xss = 1</script> "onmouseover="window.__xss=2" & <b>bold</b>'
RTL = "ما برای آزادی افغانستان ایستاده‌ایم و هرگز تسلیم نخواهیم شد."
LINK = "https://example.org/news/leader-addresses-eu?utm_source=x&utm_medium=social"
WINDOW = (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), datetime(2026, 12, 7, 17, 0, tzinfo=UTC))
SIZES = {"square": (1080, 1080), "landscape": (1200, 675), "portrait": (1080, 1350)}
LIMITS = {"x": 280, "mastodon": 500, "bluesky": 300}


@dataclass
class Sample:
    brief: Brief
    highlights: list[Highlight]
    drafts: list[Draft]
    cards: list[Card]


def _card_image(path: Path, size: tuple[int, int], text: str, colour: str) -> int:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle([w // 12, h // 12, w - w // 12, h - h // 12], outline="#fbbf24", width=max(4, w // 150))
    draw.text((w // 8, h // 2 - 40), text[:40], fill="#fdf8f1", font_size=max(28, w // 22))
    draw.text((w // 8, h - h // 5), "#StandWithNRF", fill="#fbbf24", font_size=max(22, w // 30))
    img.save(path, "PNG", optimize=True)
    return path.stat().st_size


def make_pack_draft(h: Highlight, platform: str, parts: tuple[str, ...], media: tuple[MediaRef, ...] = (),
           language: str = "en") -> Draft:
    rules = platforms.get(platform)
    return Draft(
        highlight_id=h.id, account=f"volunteer_{platform}", platform=platform, parts=parts,
        lengths=tuple(rules.length(p) for p in parts), limit=LIMITS[platform], media=media,
        language=language, link=LINK,
    )


def make_sample(root: Path) -> Sample:
    """Three highlights (plain, XSS, right-to-left) × three platforms, with a thread and cards."""
    src = root / "cards-src"
    src.mkdir(parents=True, exist_ok=True)
    highlights = [
        Highlight(
            id="a1b2c3", kind="quote", speaker="Ahmad Massoud",
            role="Leader of the National Resistance Front of Afghanistan",
            text="We are not asking you to fight for us. We are asking you not to legitimise "
                 "those who oppress millions of Afghan women and girls.",
            score=1.0, start=0, end=10,
        ),
        Highlight(id="d4e5f6", kind="quote", speaker="A <b>bold</b> speaker", text=XSS,
                  score=0.9, start=20, end=40),
        Highlight(id="0789ab", kind="sentence", speaker=None, text=RTL, score=0.8, start=50, end=90),
    ]
    colours = ["#1c1917", "#7c2d12", "#1e3a5f"]
    cards: list[Card] = []
    for h, colour in zip(highlights, colours, strict=True):
        for size, (w, hgt) in SIZES.items():
            p = src / f"{h.id}-{size}.png"
            n = _card_image(p, (w, hgt), h.text, colour)
            cards.append(Card(highlight_id=h.id, size=size, width=w, height=hgt, theme="dark",
                              path=str(p), bytes=n, alt=f"Quote card: {h.text}"))
    by = {(c.highlight_id, c.size): c for c in cards}

    def media(h: Highlight, size: str = "landscape") -> tuple[MediaRef, ...]:
        c = by[(h.id, size)]
        return (MediaRef(path=c.path, alt=c.alt, width=c.width, height=c.height),)

    a, x, r = highlights
    tags = "#Afghanistan #StandWithNRF"
    drafts: list[Draft] = []
    for platform in ("x", "mastodon", "bluesky"):
        first = f"“{a.text}”\n— Ahmad Massoud\n\n{tags}\n{LINK}"
        if platform == "x":
            drafts.append(make_pack_draft(a, platform, (
                f"1/2 “{a.text[:90]}…”",
                f"2/2 …{a.text[90:]}” — Ahmad Massoud {tags} {LINK}",
            ), media(a)))
        else:
            drafts.append(make_pack_draft(a, platform, (first,), media(a)))
        drafts.append(make_pack_draft(x, platform, (f"“{x.text}” — A <b>bold</b> speaker {LINK}",), media(x)))
        drafts.append(make_pack_draft(r, platform, (f"{r.text}\n\n{tags}\n{LINK}",), media(r, "square"), "fa"))
    brief = Brief(
        name="Stand with the Afghan resistance",
        slug="nrf-strasbourg",
        zone="Europe/Paris",
        article_title="Anti-Taliban Resistance Leader Addresses the European Union",
        article_url="https://example.org/news/nrf-leader-addresses-european-union",
        hashtags=("#Afghanistan", "#StandWithNRF", "#FreeAfghanistan"),
        mentions=("@EUParliament",),
        people=(
            Person("Ahmad Massoud", {"x": "@AhmadMassoud01", "mastodon": "@ahmadmassoud@mastodon.social",
                                     "bluesky": "@ahmadmassoud.bsky.social"},
                   "Leader of the National Resistance Front of Afghanistan"),
            Person("Nathalie Loiseau", {"x": "@NathalieLoiseau", "bluesky": "@nathalieloiseau.bsky.social"},
                   "Member of the European Parliament"),
        ),
        slots=("Weekdays at 09:00, 13:00, 18:00", "Weekends at 11:00"),
    )
    return Sample(brief, highlights, drafts, cards)


def write_sample(tmp_path: Path, *, zip: bool = False) -> tuple[Sample, Path]:
    s = make_sample(tmp_path)
    index = write_pack(s.brief, s.highlights, s.drafts, s.cards, tmp_path / "pack", window=WINDOW, zip=zip)
    return s, index


# --- a headless browser (Debian's Chromium, driven by Playwright) ------------------------------

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
)
# Background services off: this machine's closed network refuses their connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def launch_chromium() -> Iterator[Any]:
    """A headless Chromium for a module's tests (see the `browser` fixture in conftest)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- the example campaign, every slot past, published by a `campaign run` subprocess ----------

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "configs" / "example.yaml"


def past_example(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """The example campaign copied to tmp_path with its article, `edit` applied to its YAML data,
    and every slot in the past (all posts due)."""
    import shutil

    import yaml

    shutil.copy(EXAMPLE, tmp_path / "example.yaml")
    shutil.copytree(EXAMPLE.parent / "examples", tmp_path / "examples")
    data = yaml.safe_load((tmp_path / "example.yaml").read_text(encoding="utf-8"))
    edit(data)
    data["schedule"].update({"start": "2020-01-06 09:00", "end": "7d"})  # every slot is past: all due
    cfg = tmp_path / "example.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cfg


def run_once(env: dict[str, str]) -> subprocess.Popen[str]:
    """`campaign run --once` in a subprocess (so a test can SIGKILL it), output merged."""
    return subprocess.Popen([sys.executable, "-m", "campaign", "run", "--once"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def outbox_threads(accounts: tuple[str, ...], highlights: int, *, thread_every: int, thread_parts: int,
                   zone: str, at: datetime) -> list[PlannedPost]:
    """A post of each highlight for each account, all due at `at` (in order), every `thread_every`th a
    thread of `thread_parts` parts: the load of the crash tests."""
    planned = []
    for i in range(highlights):
        parts = thread_parts if i % thread_every == 0 else 1
        for a in accounts:
            texts = tuple(f"post {i} for {a}, part {k + 1}" for k in range(parts))
            d = Draft(f"h{i:04d}", a, "outbox", texts, tuple(len(t) for t in texts), 280)
            planned += [PlannedPost(d, k, at + timedelta(microseconds=i), zone) for k in range(parts)]
    return planned


def start_run(db: Path | str, seed: int, faults: str, *args: str) -> subprocess.Popen[bytes]:
    """`campaign run` on the queue `db` in a subprocess (a test SIGKILLs and restarts it), its outbox
    failing as `faults` says (`CAMPAIGN_OUTBOX_FAIL`, seeded), with short leases, polls and backoffs."""
    env = dict(os.environ, CAMPAIGN_OUTBOX_FAIL=faults, CAMPAIGN_OUTBOX_SEED=str(seed))
    cmd = [sys.executable, "-m", "campaign", "run", "--db", str(db), "--lease", "3s", "--poll", "0.05s",
           "--backoff", "0.05s", "--max-attempts", "30", *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# --- a review-required campaign for the review CLI tests ------------------------------------

REVIEW_ARTICLE = """Tom Alder met Jim Becker at the depot on Friday to discuss the closure of the line.

“We will not let this depot close without a fight, not this year and not ever,” he said.

Maria Lopez spoke after John Reyes left the hall on Saturday evening.

“No family should boil water before their children drink it, and none will here,” Maria Lopez said.

“The council has known about the broken pipes for three years and did nothing at all,” Maria Lopez said.
"""

REVIEW_CONFIG = """campaign: {{name: Water, slug: water, timezone: Europe/Paris}}
article: {{source: a.txt, url: https://example.org/water}}
highlights: {{auto: {{count: 3, min_length: 30}}}}
cards: {{enabled: false}}
{review}
accounts:
  town_x: {{platform: outbox, simulate: x, path: outbox}}
schedule:
  start: "{start}"
  spacing: 1h
  slots: [{{days: daily, times: ["09:00", "13:00", "18:00"]}}]
"""

# the same with a fourth quote (the review screen walks more posts)
REVIEW_TUI_ARTICLE = REVIEW_ARTICLE + '\n“We will publish the test results every week until the water is safe to drink again,” Maria Lopez said.\n'


def write_review_campaign(tmp_path: Path, *, review: str = "review: required", start: str = "2020-01-06 09:00") -> Path:
    """A small review-required campaign (outbox account simulating X) whose article has a
    quote attributed by a pronoun with a rival: an uncertain speaker."""
    (tmp_path / "a.txt").write_text(REVIEW_ARTICLE, encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(REVIEW_CONFIG.format(review=review, start=start), encoding="utf-8")
    return cfg


def cli_run(*args: str) -> Any:
    """`campaign ARGS` through click's runner (exceptions raised, not caught)."""
    from click.testing import CliRunner

    from campaign.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def pending_json(*args: str) -> list[dict]:
    """`campaign pending --json ARGS`, parsed."""
    import json

    out = cli_run("pending", "--json", *args)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def article_quotes(text: str) -> list[Any]:
    """The quotes `find_quotes` finds in a plain-text article, in order."""
    from campaign.article import text_article
    from campaign.highlights.quotes import find_quotes

    return find_quotes(text_article(text))


def attributed(text: str) -> list[tuple[str | None, str | None]]:
    """(speaker, guess) per quote of a plain-text article, in order."""
    return [(q.speaker, q.guess) for q in article_quotes(text)]
