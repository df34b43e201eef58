"""Loading a campaign YAML file: syntax, schema and file-system checks, each problem at its file:line."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from campaign import platforms
from campaign.config.problems import field_path, problem_from_error
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
    problems += _theme_problems(cfg, add)

    known = platforms.names()
    real = platforms.names(real=True)
    for name, acct in cfg.accounts.items():
        if acct.platform not in known:
            close = difflib.get_close_matches(acct.platform, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            add(("accounts", name, "platform"),
                f"unknown platform '{acct.platform}'{hint}; installed: {', '.join(sorted(known))}")
            continue
        if acct.simulate and acct.simulate not in real:
            add(("accounts", name, "simulate"), f"'{acct.simulate}' is not one of {', '.join(real)}")
        for setting, example in platforms.get(acct.platform).requires:
            if not getattr(acct, setting, None) and not (acct.settings or {}).get(setting):
                add(("accounts", name), f"a {acct.platform} account needs '{setting}: {example}'")
    for key in cfg.posts.platforms:
        if key not in known:
            add(("posts", "platforms", key), f"unknown platform '{key}'")
    for person, handles in cfg.posts.people.items():
        if not handles.platforms():
            add(("posts", "people", person), f"give at least one handle ({', '.join(platforms.names(volunteer=True))})")
    return problems


def _theme_problems(cfg: CampaignConfig, add: Any) -> list[Problem]:
    """The theme's base and font family exist; its image, logo and font files open."""
    theme = cfg.cards.theme
    builtins = list(THEME_NAMES)
    if theme.base not in builtins:
        close = difflib.get_close_matches(theme.base, builtins, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        add(("cards", "theme", "base"), f"unknown theme '{theme.base}'{hint}; built-ins: {', '.join(builtins)}")
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
    return []


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


def _one_per_place(problems: list[Problem]) -> list[Problem]:
    """A value that fits none of a union's branches gets one message, not one per branch:
    pydantic's generic "Input should be ..." gives way to our own, more helpful one."""
    places: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        places.setdefault((p.line, p.column, p.field), []).append(p)
    out: list[Problem] = []
    for group in places.values():
        ours = [p for p in group if not p.message.startswith("Input should be")]
        if ours and len(ours) < len(group):
            literals = [p.message for p in group if p.message.startswith("Input should be '")]
            extra = ", or " + literals[0][len("Input should be "):] if len(literals) == 1 else ""
            out += [Problem(p.file, p.line, p.column, p.field, p.message + extra) for p in ours]
        else:
            out += group
    return out


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
        mark = getattr(e, "problem_mark", None)
        context_mark = getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        context = getattr(e, "context", None)
        if context_mark is not None and (mark is None or "<stream end>" in str(problem)):
            context = f"{context} that starts here" if context else None
            mark = context_mark  # an unclosed bracket: point at where it opened, not at EOF
        msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise ConfigError(Problem(file, line, col, "", msg)) from None
    if doc.data is None:
        raise ConfigError(Problem(file, 1, 1, "", "the file is empty; run `campaign init` for a starter"))
    if not isinstance(doc.data, dict):
        raise ConfigError(Problem(file, 1, 1, "", "expected a mapping of sections (campaign:, article:, ...)"))
    try:
        cfg = CampaignConfig.model_validate(doc.data)
    except ValidationError as e:
        problems = [problem_from_error(CampaignConfig, file, err, doc) for err in e.errors()]  # type: ignore[arg-type]
        problems += _missing_article(doc, file, base)
        problems = _one_per_place(problems)
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ConfigError(problems) from None
    path = (base / Path(file).name) if base else Path(file)
    cfg = cfg.model_copy(update={"path": path.resolve() if base or Path(file).exists() else None})
    problems = _post_checks(cfg, file, doc)
    if problems:
        raise ConfigError(problems)
    return cfg


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
