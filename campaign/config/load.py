"""Loading a campaign YAML file: syntax, schema and file-system checks, each problem at its file:line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from campaign import platforms
from campaign.config.problems import (
    PLATFORM_ALIASES,
    did_you_mean,
    field_at,
    field_path,
    problem_from_error,
    syntax_problem,
)
from campaign.config.schema import THEME_NAMES, CampaignConfig
from campaign.config.yamlpos import Located, load_located
from campaign.errors import ConfigError, Problem


def _post_checks(cfg: CampaignConfig, file: str, doc: Located) -> list[Problem]:
    """Checks that need the file system or several fields at once."""
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        line, col = doc.position(loc)
        problems.append(Problem(file, line, col, field_path(loc), message))

    art = cfg.article
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", art.source) and not art.is_url:
        add(("article", "source"), f"'{art.source}': only http:// and https:// URLs can be read")
    elif not art.is_url:
        p = cfg.resolve(art.source)
        if not p.exists():
            add(("article", "source"), f"article file not found: {p}")
        elif not p.is_file():
            add(("article", "source"), f"not a file: {p}")
    _theme_files(cfg, add)

    for person, handles in cfg.posts.people.items():
        if not handles.platforms():
            add(("posts", "people", person), f"give at least one handle ({', '.join(platforms.names(volunteer=True))})")
    return problems


def _registry_problems(doc: Located, file: str) -> list[Problem]:
    """Names the registries must know (platforms, what an outbox simulates, the theme), read from
    the YAML as written: reported beside the schema's problems, not in a later run."""
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        line, col = doc.position(loc)
        problems.append(Problem(file, line, col, field_path(loc), message))

    known = platforms.names()
    real = platforms.names(real=True)
    accounts = doc.value(("accounts",))
    for name, acct in (accounts.items() if isinstance(accounts, dict) else []):
        if not isinstance(acct, dict):
            continue
        where = ("accounts", name)
        platform, simulate = acct.get("platform"), acct.get("simulate")
        if isinstance(platform, str) and platform not in known:
            add((*where, "platform"), f"unknown platform '{platform}'{did_you_mean(platform, known, PLATFORM_ALIASES)}"
                f"; installed: {', '.join(sorted(known))}")
        elif isinstance(platform, str):
            for setting, example in platforms.get(platform).requires:
                settings = acct.get("settings")
                if not acct.get(setting) and not (isinstance(settings, dict) and settings.get(setting)):
                    add(where, f"a {platform} account needs '{setting}: {example}'")
        if isinstance(simulate, str) and simulate not in real:
            add((*where, "simulate"), f"cannot simulate '{simulate}'{did_you_mean(simulate, real, PLATFORM_ALIASES)}"
                f"; use one of {', '.join(real)}")
    per_platform = doc.value(("posts", "platforms"))
    for key in (per_platform if isinstance(per_platform, dict) else []):
        if isinstance(key, str) and key not in known:
            add(("posts", "platforms", key), f"unknown platform '{key}'{did_you_mean(key, known, PLATFORM_ALIASES)}"
                f"; installed: {', '.join(sorted(known))}")
    theme = doc.value(("cards", "theme"))
    loc: tuple[Any, ...] = ("cards", "theme")
    if isinstance(theme, dict):
        theme, loc = theme.get("base"), (*loc, "base")
    builtins = list(THEME_NAMES)
    if isinstance(theme, str) and theme not in builtins:
        add(loc, f"unknown theme '{theme}'{did_you_mean(theme, builtins)}; built-ins: {', '.join(builtins)}")
    return problems


def _theme_files(cfg: CampaignConfig, add: Any) -> None:
    """The theme's font family exists; its image, logo and font files open."""
    theme = cfg.cards.theme
    font_file = bool(theme.font and theme.font.lower().endswith((".ttf", ".otf")))
    if theme.font and not font_file and theme.font not in ("sans", "serif"):
        add(("cards", "theme", "font"), f"unknown font '{theme.font}'; use sans, serif or a .ttf/.otf file")
    for field in ("image", "logo", "font"):
        value = getattr(theme, field)
        if not value or (field == "font" and not font_file):
            continue
        path = cfg.resolve(value)
        if not path.exists():
            add(("cards", "theme", field), f"file not found: {path}")
        elif not path.is_file():
            add(("cards", "theme", field), f"not a file: {path}")
        else:
            why = _unreadable(path, font=field == "font")
            if why:
                add(("cards", "theme", field), f"cannot read {path}: {why}")


def _unreadable(path: Path, *, font: bool) -> str | None:
    """Why Pillow cannot open this image or font file, or None (Pillow imported only here)."""
    try:
        if font:
            from PIL import ImageFont

            ImageFont.truetype(str(path), 12)
        else:
            from PIL import Image

            with Image.open(path) as im:
                im.verify()
    except Exception as e:  # Pillow raises many kinds for a broken file
        kind = "a font" if font else "an image"
        return f"not {kind} Pillow can open ({type(e).__name__})"
    return None


_HASH_VALUE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):[ \t]+(#[^\s#]\S*)")


def _comment_values(doc: Located, text: str, file: str) -> list[Problem]:
    """`footer: #StandWithNRF`: YAML reads the hashtag as a comment and the value as empty; say so
    (with the quoted form) instead of dropping it silently. `key:  # a note` is left alone."""
    problems: list[Problem] = []
    lines = text.splitlines()
    for row, line in enumerate(lines):
        m = _HASH_VALUE.match(line)
        field = field_at(lines, row) if m else ""
        if m and field and doc.value(tuple(field.split("."))) is None:
            problems.append(Problem(file, row + 1, m.start(2) + 1, field,
                                    f"'{m.group(2)}' is read as a YAML comment, so the value is empty; "
                                    f"quote it: {m.group(1)}: \"{m.group(2)}\""))
    return problems


def _one_per_place(problems: list[Problem]) -> list[Problem]:
    """One message per place: a value that fits none of a union's branches gets one message, not
    one per branch (pydantic's generic "Input should be ..." gives way to our own, more helpful
    one), and a problem met twice (a value repeated through a YAML alias) is told once."""
    places: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        places.setdefault((p.line, p.column, p.field), []).append(p)
    out: list[Problem] = []
    for group in places.values():
        ours = [p for p in group if not p.message.startswith("Input should be")]
        if ours and len(ours) < len(group):
            literals = [p.message for p in group if p.message.startswith("Input should be '")]
            extra = ", or " + literals[0][len("Input should be "):] if len(literals) == 1 else ""
            group = [Problem(p.file, p.line, p.column, p.field, p.message + extra) for p in ours]
        messages = list(dict.fromkeys(p.message for p in group))
        first = group[0]
        out.append(Problem(first.file, first.line, first.column, first.field, "; or ".join(messages)))
    seen: set[tuple[Any, ...]] = set()
    once: list[Problem] = []
    for p in out:
        key = (p.file, p.line, p.column, p.message) if p.line else (p.file, p.field, p.message)
        if key not in seen:
            seen.add(key)
            once.append(p)
    return once


def _missing_article(doc: Located, file: str, base: Path | None) -> list[Problem]:
    """The article-file check, for a config that failed validation elsewhere (report it all)."""
    source = doc.value(("article", "source"))
    if not isinstance(source, str) or source.startswith(("http://", "https://")):
        return []
    p = Path(source).expanduser()
    p = p if p.is_absolute() else (base or Path(file).resolve().parent) / p
    if p.is_file():
        return []
    line, col = doc.position(("article", "source"))
    return [Problem(file, line, col, "article.source", f"article file not found: {p}")]


def loads(text: str, file: str = "<string>", base: Path | None = None) -> CampaignConfig:
    """Validate YAML text; `file` names it in messages, `base` is the folder paths are relative to."""
    try:
        doc = load_located(text)
    except yaml.YAMLError as e:
        raise ConfigError(syntax_problem(e, text, file)) from None
    if doc.data is None:
        raise ConfigError(Problem(file, 1, 1, "", "the file is empty; run `campaign init` for a starter"))
    if not isinstance(doc.data, dict):
        raise ConfigError(Problem(file, 1, 1, "", "expected a mapping of sections (campaign:, article:, ...)"))
    problems = _registry_problems(doc, file) + _comment_values(doc, text, file)
    try:
        cfg = CampaignConfig.model_validate(doc.data)
    except ValidationError as e:
        problems += [problem_from_error(CampaignConfig, file, err, doc) for err in e.errors()]  # type: ignore[arg-type]
        problems += _missing_article(doc, file, base)
        raise ConfigError(_sorted(problems)) from None
    path = (base / Path(file).name) if base else Path(file)
    cfg = cfg.model_copy(update={"path": path.resolve() if base or Path(file).exists() else None})
    problems += _post_checks(cfg, file, doc)
    if problems:
        raise ConfigError(_sorted(problems))
    return cfg


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(_one_per_place(problems), key=lambda p: (p.line or 0, p.column or 0))


def load(path: str | Path) -> CampaignConfig:
    """Read and validate a campaign YAML file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(Problem(str(path), None, None, "", "file not found")) from None
    except IsADirectoryError:
        raise ConfigError(Problem(str(path), None, None, "", "is a folder, not a YAML file")) from None
    except OSError as e:
        raise ConfigError(Problem(str(path), None, None, "", f"cannot read: {e.strerror}")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(Problem(str(path), line, None, "", "not UTF-8 text")) from None
    return loads(text, str(path), base=p.resolve().parent)
