"""Rules declared by a plugin that does not subclass `Rules`: its attributes, wrapped."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from campaign.platforms.rules import Rules


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclaredRules(Rules):
    """A plugin's own rules object behind the `Rules` interface: its `length`, `fits` and limits."""

    declared: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def wrap(cls, declared: Any, name: str) -> DeclaredRules:
        values: dict[str, Any] = {}
        for f in fields(Rules):
            if f.name != "name" and hasattr(declared, f.name):
                value = getattr(declared, f.name)
                values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(name=name, declared=declared, **values)

    def length(self, text: str) -> int:
        own = getattr(self.declared, "length", None)
        return int(own(text)) if callable(own) else Rules.length(self, text)

    def problems(self, text: str) -> list[str]:
        own = getattr(self.declared, "problems", None)
        if callable(own):
            return list(own(text))
        out = Rules.problems(self, text)
        fits = getattr(self.declared, "fits", None)
        if not out and callable(fits) and not fits(text):
            out.append(f"refused by the {self.name} adapter's rules")
        return out

    def entities(self, text: str) -> list[tuple[int, int, str]]:
        own = getattr(self.declared, "entities", None)
        return list(own(text)) if callable(own) else []

    def show_link(self, url: str) -> str:
        own = getattr(self.declared, "show_link", None)
        return str(own(url)) if callable(own) else url
