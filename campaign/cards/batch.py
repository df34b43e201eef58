"""Render every card of a campaign in parallel processes; write a manifest and a contact sheet.

Each (highlight, size) pair is one task. With `jobs > 1` tasks run in a process pool (forked
where the platform allows, so workers start warm with fonts already parsed). File names are
stable, `<highlight id>-<size>.<ext>`, with the alt text beside each in `<name>.alt.txt`.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.models import Card, Highlight

if TYPE_CHECKING:
    from campaign.config import CampaignConfig

log = logging.getLogger("campaign.cards")


@dataclass(frozen=True, slots=True)
class Task:
    """Everything one worker needs to render and write one card (picklable)."""

    highlight_id: str
    text: str
    speaker: str | None
    role: str | None
    size: str
    theme: Any  # campaign.config.Theme or a built-in name
    language: str
    source_line: str | None
    footer: str | None
    fmt: str
    budget: int
    alt: str | None
    alt_limit: int
    base_dir: str
    out_dir: str
    quoted: bool = True


def article_source(cfg: CampaignConfig) -> str | None:
    """Where a key sentence comes from, for its card: the article's title, else its outlet."""
    from urllib.parse import urlsplit

    art = cfg.article
    if art.title:
        return f"From “{art.title}”" + (f", {art.author}" if art.author else "")
    url = art.url or (art.source if art.is_url else None)
    host = urlsplit(url).netloc.removeprefix("www.") if url else ""
    return f"From {host}" if host else (f"From {art.author}" if art.author else None)


def tasks_for(cfg: CampaignConfig, highlights: list[Highlight], out_dir: Path) -> list[Task]:
    """One task per highlight and size, in a stable order."""
    from campaign.cards.sizes import alt_limit, budget_for, sizes_for

    platforms = [a.rules_platform for a in cfg.enabled_accounts().values()]
    sizes = sizes_for(platforms, cfg.cards.sizes)
    budget = budget_for(platforms)
    limit = alt_limit(platforms)
    out: list[Task] = []
    for h in highlights:
        speaker = h.credited  # an uncertain speaker never goes on a card unless pinned
        role = cfg.posts.role_of(speaker, h.role)
        source_line = cfg.cards.source_line
        if h.kind == "sentence":  # the article's own words: no marks, and where they come from
            speaker, role = None, None
            source_line = source_line or article_source(cfg)
        for size in sizes:
            out.append(Task(
                highlight_id=h.id, text=h.text, speaker=speaker, role=role, size=size,
                theme=cfg.cards.theme, language=cfg.campaign.language,
                source_line=source_line, footer=cfg.cards.footer, quoted=h.kind != "sentence",
                fmt=cfg.cards.format, budget=budget, alt=cfg.cards.alt.get(h.id),
                alt_limit=limit, base_dir=str(cfg.base_dir), out_dir=str(out_dir),
            ))
    return out


def run_task(task: Task) -> tuple[Card, tuple[str, ...]]:
    """Render one card and write it with its alt text; runs in a worker process."""
    from campaign.cards.card import render_full

    r = render_full(
        task.text, speaker=task.speaker, role=task.role, theme=task.theme, size=task.size,
        language=task.language, source_line=task.source_line, footer=task.footer,
        fmt=task.fmt, budget=task.budget, highlight_id=task.highlight_id,
        base_dir=Path(task.base_dir), alt=task.alt, alt_limit=task.alt_limit, quoted=task.quoted,
    )
    ext = "jpg" if task.fmt == "jpeg" else "png"
    path = Path(task.out_dir) / f"{task.highlight_id}-{task.size}.{ext}"
    _write(path, r.data)
    _write(alt_path(path), (r.alt + "\n").encode())
    card = Card(highlight_id=task.highlight_id, size=task.size, width=r.width, height=r.height,
                theme=r.theme, path=str(path), bytes=len(r.data), alt=r.alt, format=task.fmt)
    return card, r.warnings


def alt_path(image: Path) -> Path:
    """Where a card's alt text lives: `<name>.alt.txt` beside the image."""
    return image.with_name(image.stem + ".alt.txt")


def _write(path: Path, data: bytes) -> None:
    """Write atomically, so a reader never sees half a card."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _warm() -> None:
    """Parse fonts in the parent before forking, so every worker inherits them."""
    from campaign.cards import fonts

    for family in ("sans", "serif"):
        for weight in ("regular", "semibold", "bold"):
            fonts.chain(family, weight)


def render_tasks(tasks: list[Task], *, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None) -> list[Card]:
    """Run tasks (in `jobs` processes when > 1); cards come back in task order."""
    total = len(tasks)
    if progress:
        progress(0, total)
    results: dict[int, tuple[Card, tuple[str, ...]]] = {}
    if jobs <= 1 or total <= 1:
        for i, t in enumerate(tasks):
            results[i] = run_task(t)
            if progress:
                progress(i + 1, total)
    else:
        _warm()
        with ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=_context()) as pool:
            futures = {pool.submit(run_task, t): i for i, t in enumerate(tasks)}
            try:
                for done, fut in enumerate(as_completed(futures), 1):
                    results[futures[fut]] = fut.result()
                    if progress:
                        progress(done, total)
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    seen: set[str] = set()
    for _card, warns in results.values():
        for w in warns:
            if w not in seen:
                seen.add(w)
                log.warning(w)
    return [results[i][0] for i in range(total)]


def render_campaign(cfg: CampaignConfig, highlights: list[Highlight], out_dir: Path, *,
                    jobs: int = 1, progress: Callable[[int, int], None] | None = None
                    ) -> list[Card]:
    """Render every card of the campaign into `out_dir`.

    Sizes come from `cards.sizes` or the accounts' rules platforms; every card is fitted to the
    strictest byte budget and alt-text limit among them. Writes `<id>-<size>.<ext>`,
    `<id>-<size>.alt.txt`, `manifest.json` and `contact-sheet.png`. `progress(done, total)` is
    called as cards finish. Raises CardError naming the highlight on the first card that fails.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = tasks_for(cfg, highlights, out_dir)
    cards = render_tasks(tasks, jobs=jobs, progress=progress)
    write_manifest(cards, out_dir)
    if cards:
        contact_sheet(cards, out_dir / "contact-sheet.png")
    return cards


def write_manifest(cards: list[Card], out_dir: Path) -> Path:
    """`manifest.json`: one entry per card (highlight id, size, path, bytes, alt...)."""
    entries = []
    for c in cards:
        d = asdict(c)
        d["file"] = Path(c.path).name
        d["alt_file"] = alt_path(Path(c.path)).name
        entries.append(d)
    path = out_dir / "manifest.json"
    path.write_text(json.dumps({"cards": entries}, indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def contact_sheet(cards: list[Card], path: Path, *, cell: int = 300) -> Path:
    """A PNG of every card as a thumbnail, one row per highlight, labelled, for review."""
    from PIL import Image, ImageDraw

    from campaign.cards import fonts

    rows: dict[str, list[Card]] = {}
    for c in cards:
        rows.setdefault(c.highlight_id, []).append(c)
    ncols = max(len(r) for r in rows.values())
    pad, label_h = 24, 30
    width = pad + ncols * (cell + pad)
    height = pad + len(rows) * (cell + label_h + pad)
    sheet = Image.new("RGB", (width, height), (236, 236, 240))
    d = ImageDraw.Draw(sheet)
    font = fonts.load(fonts.bundled(fonts.FAMILIES["sans"]["regular"][0]), 15)
    for r, row in enumerate(rows.values()):
        for col, c in enumerate(row):
            x = pad + col * (cell + pad)
            y = pad + r * (cell + label_h + pad)
            with Image.open(c.path) as src:
                im = src.convert("RGB")
                # box-reduce by an integer factor first, then a small bilinear step
                im.thumbnail((cell, cell), Image.Resampling.BILINEAR, reducing_gap=1.0)
            sheet.paste(im, (x + (cell - im.width) // 2, y + (cell - im.height) // 2))
            label = f"{c.highlight_id} · {c.size} · {c.bytes / 1000:.0f} kB"
            d.text((x, y + cell + 6), label, font=font, fill=(60, 60, 70))
    from campaign.cards.encode import png_unfiltered

    _write(path, png_unfiltered(sheet, level=1))  # a review sheet: speed over size
    return path
