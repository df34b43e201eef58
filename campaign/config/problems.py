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
