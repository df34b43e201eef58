"""YAML loading that remembers where every key and value came from (line, column)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[Any, ...]


@dataclass
class Located:
    """Plain data plus the 1-based (line, column) of each value and mapping key, by path."""

    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: the source text of scalars and keys YAML read as something other than text (`40133472`)
    raw: dict[Path_, str] = field(default_factory=dict)
    raw_keys: dict[Path_, str] = field(default_factory=dict)

    def position(self, loc: Path_) -> tuple[int | None, int | None]:
        """The value at `loc`, or the nearest enclosing one we know."""
        loc = tuple(loc)
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (None, None))

    def key_position(self, loc: Path_) -> tuple[int | None, int | None]:
        """The key at `loc` (for unknown keys), else the value's position."""
        loc = tuple(loc)
        return self.keys[loc] if loc in self.keys else self.position(loc)

    def value(self, loc: Path_) -> Any:
        cur = self.data
        for part in loc:
            try:
                cur = cur[part]
            except (KeyError, IndexError, TypeError):
                return None
        return cur


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


# A campaign file holds a few hundred values; aliases (`*name`) repeating aliases can make a
# small file expand to billions ("billion laughs"). Past this many values we stop.
MAX_VALUES = 200_000


class _TooBig(yaml.MarkedYAMLError):
    pass


def load_located(text: str) -> Located:
    """Parse one YAML document with the safe loader, keeping positions; refuses duplicate keys.
    Highlight ids come back as text however they were written (`ids_as_text`)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        out = Located(None)
        if node is not None and _count(node, {}) > MAX_VALUES:
            raise _TooBig(None, None, f"the file expands to more than {MAX_VALUES:,} values "
                          "(aliases repeating aliases?)", node.start_mark)
        if node is not None:
            out.data = _build(loader, node, (), out)
            ids_as_text(out)
        return out
    except RecursionError:  # the parser itself on thousands of nested brackets
        raise _TooBig(None, None, "nested too deeply", None) from None
    finally:
        loader.dispose()


def _count(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values `node` expands to, aliases counted each time they are used."""
    key = id(node)
    if key in memo:
        if memo[key] < 0:
            raise _TooBig(None, None, "an alias refers to the value it is part of", node.start_mark)
        return memo[key]
    memo[key] = -1  # being counted: meeting it again means an alias inside itself
    total = 1
    if isinstance(node, yaml.MappingNode):
        total += sum(_count(k, memo) + _count(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total += sum(_count(c, memo) for c in node.value)
    memo[key] = total
    return total


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, out: Located) -> Any:
    out.values[path] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in result:
                raise _DuplicateKey(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            out.keys[path + (key,)] = _pos(key_node)
            if not isinstance(key, str) and isinstance(key_node, yaml.ScalarNode):
                out.raw_keys[path + (key,)] = key_node.value
            result[key] = _build(loader, value_node, path + (key,), out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, child, path + (i,), out) for i, child in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if not isinstance(value, str) and isinstance(node, yaml.ScalarNode):
        out.raw[path] = node.value
    return value


#: where the YAML holds highlight ids: lists of ids, and mappings keyed by id
_ID_LISTS = (("highlights", "pinned"), ("highlights", "exclude"))
_ID_KEYS = (("cards", "alt"), ("schedule", "at"))


def ids_as_text(doc: Located) -> None:
    """Highlight ids as they were written: an id pasted unquoted (`pinned: [40133472]`) is read by
    YAML as a number; it is put back to its text, here and in the positions."""
    for loc in _ID_LISTS:
        items = doc.value(loc)
        for i, item in enumerate(items if isinstance(items, list) else []):
            at: Path_ = (*loc, i)
            if isinstance(item, dict):
                at, item = (*at, "id"), item.get("id")
            if item is not None and not isinstance(item, str) and at in doc.raw:
                parent = doc.value(at[:-1])
                parent[at[-1]] = doc.raw[at]
    for loc in _ID_KEYS:
        mapping = doc.value(loc)
        if not isinstance(mapping, dict):
            continue
        for key in list(mapping):
            text = doc.raw_keys.get((*loc, key))
            if isinstance(key, str) or key is None or text is None or text in mapping:
                continue
            mapping[text] = mapping.pop(key)
            _rename(doc, (*loc, key), (*loc, text))


def _rename(doc: Located, old: Path_, new: Path_) -> None:
    """Move every position recorded under `old` to `new`."""
    n = len(old)
    tables: tuple[dict[Path_, Any], ...] = (doc.values, doc.keys, doc.raw, doc.raw_keys)
    for table in tables:
        for path in [p for p in table if p[:n] == old]:
            table[new + path[n:]] = table.pop(path)
