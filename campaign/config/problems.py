"""Turning pydantic validation errors into Problems located in the YAML file."""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel

from campaign.config.yamlpos import Located
from campaign.errors import Problem


def _model_for(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of `loc`, for "did you mean" hints."""
    model: Any = root
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        fields = getattr(model, "model_fields", None)
        if fields and part in fields:
            model = _inner_model(fields[part].annotation)
        # else: a dict key (an account name, a person): the dict's value model holds on
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(ann: Any) -> Any:
    """Dig through Optional / list / dict / Annotated for a BaseModel type."""
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    meta = getattr(ann, "__origin__", None)
    if meta is not None and isinstance(meta, type) and issubclass(meta, BaseModel):
        return meta
    return None


#: what people write for a platform that has another name here
PLATFORM_ALIASES = {"twitter": "x", "bsky": "bluesky", "masto": "mastodon", "fediverse": "mastodon",
                     "toot": "mastodon", "file": "outbox", "local": "outbox"}


def did_you_mean(value: str, choices: list[str], aliases: dict[str, str] | None = None) -> str:
    """` (did you mean 'x'?)` for a value close to one of `choices` (case, spelling, or a known
    other name such as `twitter` for `x`, itself misspelt or not)."""
    key = value.strip().lower()
    names = {c.lower(): c for c in choices}
    names.update({a: t for a, t in (aliases or {}).items() if t in choices and a not in names})
    found = names.get(key)
    if not found:
        close = difflib.get_close_matches(key, list(names), n=1)
        found = names[close[0]] if close else None
    return f" (did you mean '{found}'?)" if found and found != value else ""


def field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and not re.fullmatch(r"[a-z_]+\[.*\]|function-.*|.*-.*\]", part):
            out += ("." if out else "") + part
    return out


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union/validator branch names from an error location."""
    return tuple(
        p
        for p in loc
        if isinstance(p, int)
        or not (isinstance(p, str) and (p.startswith(("function-", "str", "list[", "dict[")) or p in ("LiteralQuote", "ExtraQuote", "Literal['now']", "datetime", "tagged-union")))
    )


def problem_from_error(root: type[BaseModel], file: str, err: dict[str, Any], doc: Located) -> Problem:
    """One pydantic error as a Problem at the YAML line it came from, with a did-you-mean hint."""
    loc = _clean_loc(tuple(err["loc"]))
    kind = err["type"]
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind == "extra_forbidden":
        key = loc[-1]
        model = _model_for(root, loc)
        names = list(model.model_fields) if model else []
        names = [n for n in names if n != "path" or model is not root]
        close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
        msg = f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
        if names:
            msg += "; allowed: " + ", ".join(names)
        line, col = doc.key_position(loc)
    elif kind == "missing":
        msg = "required field is missing"
        line, col = doc.key_position(loc[:-1]) if len(loc) > 1 else (1, 1)
    elif loc and loc[-1] == "[key]":
        # a mapping key that is not text, e.g. `1:` or `~:` under accounts or people
        loc = loc[:-1]
        key = loc[-1] if loc else None
        parent = doc.value(loc[:-1])
        if isinstance(parent, dict) and key not in parent and key == "None" and None in parent:
            key = None
            loc = loc[:-1] + (None,)
        line, col = doc.key_position(loc)
        shown = "nothing (~ or null)" if key is None else repr(key)
        where = field_path(loc[:-1])
        msg = f"a name here must be text, got {shown}; quote it or give a name"
        return Problem(file, line, col, where, msg)
    elif kind in ("model_type", "dict_type", "model_attributes_type") and doc.value(loc) is None \
            and _is_mapping(doc, loc):
        line, col = doc.position(loc)
        msg = "this section is empty: fill it in or remove it"
    elif kind in ("too_short", "too_long") and isinstance(err.get("ctx"), dict):
        line, col = doc.position(loc)
        n = err["ctx"].get("min_length" if kind == "too_short" else "max_length")
        msg = (f"give at least {n} item(s)" if kind == "too_short" else f"give at most {n} item(s)")
        if kind == "too_short" and loc == ("accounts",):
            msg = "give at least one account, e.g. `local: {platform: outbox}`"
    elif kind == "model_type":
        line, col = doc.position(loc)
        got = doc.value(loc)
        model = _model_for(root, (*loc, "_"))
        allowed = f" ({', '.join(n for n in model.model_fields if n != 'path')})" if model else ""
        msg = f"expected a mapping of keys{allowed}, got {type(got).__name__}: {got!r}"
    elif kind == "string_pattern_mismatch" and loc == ("campaign", "slug"):
        line, col = doc.position(loc)
        msg = (f"'{doc.value(loc)}' is not a slug: lower-case letters, digits and -, "
               "starting with a letter or digit (e.g. my-campaign)")
    else:
        line, col = doc.position(loc)
        if kind in ("string_type", "int_type", "int_parsing", "bool_type", "list_type", "dict_type", "model_type", "float_type", "bool_parsing"):
            got = doc.value(loc)
            msg = f"{msg} (got {type(got).__name__ if got is not None else 'nothing'}: {got!r})"
    return Problem(file, line, col, field_path(loc), msg)


def _is_mapping(doc: Located, loc: tuple[Any, ...]) -> bool:
    """`loc` names a key present in the YAML (written with nothing after it)."""
    parent = doc.value(loc[:-1]) if loc else None
    return isinstance(parent, dict) and bool(loc) and loc[-1] in parent


def syntax_problem(e: Any, text: str, file: str) -> Problem:
    """A YAML syntax error (a `yaml.YAMLError`) at its line, with the field it is in and, for an
    unquoted value holding ': ' (`name: Hong Kong: five demands`), the quoted form to write."""
    mark = getattr(e, "problem_mark", None)
    context_mark = getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or str(e)
    context = getattr(e, "context", None)
    if context_mark is not None and (mark is None or "<stream end>" in str(problem)):
        context = f"{context} that starts here" if context else None
        mark = context_mark  # an unclosed bracket: point at where it opened, not at EOF
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return Problem(file, None, None, "", msg)
    lines = text.splitlines()
    row = mark.line if mark.line < len(lines) else len(lines) - 1
    field = field_at(lines, row) if row >= 0 else ""
    hint = None
    if "mapping values are not allowed" in str(problem) and row >= 0:
        hint = _quote_hint(lines[row])
    elif "got ':'" in str(problem) and row >= 0:  # inside braces: `{name: Hong Kong: five demands}`
        hint, key = _flow_quote_hint(lines[row], mark.column)
        field = f"{field}.{key}" if field and key else field or key or ""
    if hint:
        msg += f"; a value containing ': ' must be quoted: {hint}"
    elif row >= 0 and (brace := _brace_hint(lines[row])):
        msg += f"; a value starting with '{{' is read as a mapping, quote it: {brace}"
    return Problem(file, mark.line + 1, mark.column + 1, field, msg)


def _brace_hint(line: str) -> str | None:
    """`- "{quote} — {speaker}"` for an unquoted template line `- {quote} — {speaker}`, or None."""
    m = re.match(r"^\s*(-\s+|[^\s#:'\"{\[-][^:#]*?:\s+)(\{[^{}]*\}.*?)\s*(?:\s#.*)?$", line)
    if not m or re.fullmatch(r"\{[^{}]*\}", m.group(2)):
        return None  # a whole `{...}` is a real flow mapping
    value = m.group(2)
    return m.group(1).strip() + ' "' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow_quote_hint(line: str, column: int) -> tuple[str | None, str | None]:
    """For `{key: value: more, ...}` broken at `column`: `key: "value: more"`, and the key."""
    start = max(line.rfind("{", 0, column), line.rfind(",", 0, column)) + 1
    end = min((i for i in (line.find(",", column), line.find("}", column)) if i >= 0), default=len(line))
    key, sep, value = line[start:end].partition(": ")
    key, value = key.strip(), value.strip()
    if not sep or not key or not value or value[0] in "'\"[{":
        return None, None
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{key}: {quoted}", key


_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?(?!-\s)([^\s#:'\"{\[][^:#]*?|'[^']*'|\"[^\"]*\"):(?:\s+|$)(.*)$")


def _quote_hint(line: str) -> str | None:
    """`key: "value: with a colon"` for a line `key: value: with a colon`, or None."""
    m = _KEY_LINE.match(line)
    if not m:
        return None
    value = re.sub(r"\s+#.*$", "", m.group(3)).strip()
    if not value or value[0] in "'\"[{|>":
        return None
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{m.group(2).strip()}: {quoted}"


def field_at(lines: list[str], row: int) -> str:
    """The dotted key a block-style line sits under (`campaign.name`), from indentation alone."""
    keys: list[str] = []
    indent = None
    for i in range(min(row, len(lines) - 1), -1, -1):
        m = _KEY_LINE.match(lines[i])
        if not m or lines[i].lstrip().startswith("#"):
            continue
        width = len(m.group(1))
        if indent is None or width < indent:
            keys.insert(0, m.group(2).strip().strip("'\""))
            indent = width
            if width == 0:
                break
    return ".".join(keys)
