"""The platform registry: every platform's rules, built-in or declared by an installed adapter.

    >>> from campaign import platforms
    >>> rules = platforms.get("x")
    >>> rules.length("Read example.com 👩🏽‍💻"), rules.max_chars
    (31, 280)

`get(name, **options)` returns a frozen `Rules`; options override instance limits, e.g.
`get("mastodon", max_characters=1000)` or `get("x", max_chars=25_000)` (Premium).
`names()` lists every platform known here: the built-ins below and each adapter registered
under the entry-point group `campaign.adapters` (its class's `rules` attribute is read; no
other stage looks platforms up any other way).

- `rules`: the `Rules` base class every platform's rules are (or are wrapped as).
- `x`, `mastodon`, `bluesky`, `outbox`: the built-ins' rules; `text`: shared text helpers.
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import cache
from importlib import import_module
from typing import Any

from campaign.errors import UnknownPlatformError
from campaign.platforms.rules import Entity, Rules

GROUP = "campaign.adapters"

# The built-ins' rules, by platform name (module:class, imported on first use).
_BUILTIN = {
    "x": "campaign.platforms.x:XRules",
    "mastodon": "campaign.platforms.mastodon:MastodonRules",
    "bluesky": "campaign.platforms.bluesky:BlueskyRules",
    "outbox": "campaign.platforms.outbox:OutboxRules",
}


@cache
def entry_points() -> dict[str, Any]:
    """Every adapter registered under `campaign.adapters`, built-in and plugin, by name (read once;
    `refresh()` reads again). `campaign.publish.adapters.base` loads adapters from these."""
    from importlib.metadata import entry_points as installed

    return {ep.name: ep for ep in installed(group=GROUP)}


def _plugin_entry_points() -> dict[str, Any]:
    return {name: ep for name, ep in entry_points().items() if name not in _BUILTIN}


def refresh() -> None:
    """Forget what was read from the installed distributions (after installing a plugin)."""
    entry_points.cache_clear()
    _declared.cache_clear()


def names(*, real: bool | None = None, volunteer: bool | None = None) -> list[str]:
    """Every known platform, built-ins first; filtered by `Rules.real` / `Rules.volunteer`."""
    every = list(_BUILTIN) + sorted(_plugin_entry_points())
    if real is None and volunteer is None:
        return every
    out = []
    for name in every:
        try:
            r = get(name)
        except UnknownPlatformError:  # a broken plugin is listed by `campaign adapters`, not here
            continue
        if (real is None or r.real == real) and (volunteer is None or r.volunteer == volunteer):
            out.append(name)
    return out


def get(name: str, **options: Any) -> Rules:
    """The rules for platform `name`, with `options` overriding limits.

    Options: any field of the rules (`max_chars`, `max_images`, `max_image_bytes`, `alt_max`,
    Mastodon's `url_length`), or the platform's own name for it (Mastodon `max_characters`,
    `characters_reserved_per_url`, `max_media` / `max_media_attachments`, `image_size_limit`,
    `description_limit`).
    """
    key = (name or "").strip().lower()
    rules = _declared(key)
    if not options:
        return rules
    cls = type(rules)
    aliases: dict[str, str] = getattr(cls, "ALIASES", {})
    known = {f.name for f in fields(cls) if f.type in ("int", int)}
    changes: dict[str, Any] = {}
    for opt, value in options.items():
        field_name = aliases.get(opt, opt)
        if field_name not in known:
            allowed = ", ".join(sorted(known | set(aliases)))
            raise UnknownPlatformError(f"unknown option '{opt}' for platform '{key}'; known: {allowed}",
                                       platform=key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UnknownPlatformError(f"option '{opt}' for platform '{key}' must be a non-negative integer",
                                       platform=key)
        changes[field_name] = value
    return replace(rules, **changes)


@cache
def _declared(key: str) -> Rules:
    if key in _BUILTIN:
        module, _, cls = _BUILTIN[key].partition(":")
        return getattr(import_module(module), cls)()  # type: ignore[no-any-return]
    ep = _plugin_entry_points().get(key)
    if ep is None:
        raise UnknownPlatformError(f"unknown platform '{key}'; known: {', '.join(names())}", platform=key)
    try:
        declared = getattr(ep.load(), "rules", None)
    except Exception as e:  # a broken plugin must not take the caller down
        raise UnknownPlatformError(f"adapter '{key}' failed to load: {type(e).__name__}: {e}",
                                   platform=key) from None
    return as_rules(declared, key)


def as_rules(declared: Any, name: str) -> Rules:
    """An adapter's declared rules as `Rules`: a `Rules` instance as is; any other object with
    the documented attributes (at least `max_chars` and `length(text)`) wrapped, its missing
    limits taken from the base."""
    if isinstance(declared, Rules):
        return declared if declared.name == name else replace(declared, name=name)
    if declared is None:
        return Rules(name=name)
    from campaign.platforms.declared import DeclaredRules

    return DeclaredRules.wrap(declared, name)


__all__ = ["GROUP", "Entity", "Rules", "as_rules", "entry_points", "get", "names", "refresh"]
