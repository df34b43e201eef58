"""Accounts and adapters as the CLI shows them: credential sources, checks, installed adapters.

Credentials are never returned: a listing says where each field comes from (an environment
variable, the secrets file, or missing), never its value.
"""

from __future__ import annotations

import os
from typing import Any

from campaign import platforms
from campaign.errors import CampaignError, UnknownPlatformError
from campaign.publish.adapters.base import adapter_class, context_for, create, installed
from campaign.publish.adapters.base import close as close_adapter
from campaign.publish.credentials import env_name, read_secrets_file, secrets_path
from campaign.redact import redact


def credential_fields(platform: str) -> tuple[str, ...]:
    """The adapter's credential field names; UnknownPlatformError when it is not installed."""
    return tuple(getattr(adapter_class(platform), "credential_fields", ()) or ())


def _fields_or_problem(platform: str) -> tuple[tuple[str, ...], str | None]:
    try:
        return credential_fields(platform), None
    except UnknownPlatformError as e:
        return (), str(e)


def credential_sources(cfg: Any) -> list[dict[str, Any]]:
    """Per account: platform, handle, and for each credential field where it comes from."""
    path = secrets_path()
    stored = read_secrets_file(path)  # refuses a file others can read, with the chmod fix
    rows: list[dict[str, Any]] = []
    for name, acct in cfg.accounts.items():
        fields, problem = _fields_or_problem(acct.platform)
        creds: dict[str, dict[str, str]] = {}
        for field in fields:
            var = env_name(name, field, acct.credentials)
            if os.environ.get(var):
                creds[field] = {"source": "env", "variable": var}
            elif (stored.get(name) or {}).get(field):
                creds[field] = {"source": "secrets file", "path": str(path), "variable": var}
            else:
                creds[field] = {"source": "missing", "variable": var}
        rows.append({
            "account": name,
            "platform": acct.platform,
            "handle": acct.handle,
            "enabled": acct.enabled,
            "credentials": creds,
            "ok": problem is None and all(c["source"] != "missing" for c in creds.values()),
            **({"problem": problem} if problem else {}),
        })
    return rows


def same_handle(configured: str, actual: str) -> bool:
    """Whether the YAML's `handle:` names the account the platform reports, case aside; a
    handle written without its domain (`@nrf`) matches on the user name alone."""
    a = configured.strip().lstrip("@").casefold()
    b = actual.strip().lstrip("@").casefold()
    if a == b:
        return True
    if ("@" in a) != ("@" in b):
        return a.split("@", 1)[0] == b.split("@", 1)[0]
    return False


def check_accounts(cfg: Any, names: list[str], timeout: float) -> list[dict[str, Any]]:
    """Call each account's adapter `check()`; who it posts as (as the platform names it), or the
    exact problem. `warning`: the YAML's `handle:` names someone else."""
    results: list[dict[str, Any]] = []
    for name in names:
        acct = cfg.accounts[name]
        row: dict[str, Any] = {"account": name, "platform": acct.platform}
        try:
            adapter = create(context_for(cfg, name, timeout=timeout))
            try:
                info = adapter.check()
            finally:
                close_adapter(adapter)
        except CampaignError as e:
            row.update(ok=False, error=redact(str(e)), kind=type(e).__name__)
        except Exception as e:  # a plugin's bug must not hide the other accounts' results
            row.update(ok=False, error=redact(f"{type(e).__name__}: {e}"), kind="InternalError")
        else:
            row.update(ok=True, handle=info.handle, display_name=info.display_name, url=info.url)
            if acct.handle and info.handle and not same_handle(acct.handle, info.handle):
                row["warning"] = (f"the config says handle: {acct.handle}, but {acct.platform} names this "
                                  f"account {info.handle}; posts go out as {info.handle}")
        results.append(row)
    return results


def adapter_listing() -> list[dict[str, Any]]:
    """Installed adapters (entry points), built-in or plugin, with their declared limits."""
    out: list[dict[str, Any]] = []
    for a in installed():
        row: dict[str, Any] = {
            "name": a.name,
            "target": a.target,
            "source": "built-in" if a.builtin else f"plugin ({a.distribution or 'unknown'})",
        }
        try:
            cls = adapter_class(a.name)
            rules = platforms.get(a.name)
        except UnknownPlatformError as e:
            row.update(error=str(e))
            out.append(row)
            continue
        row["credential_fields"] = list(getattr(cls, "credential_fields", ()) or ())
        for limit in ("max_chars", "max_images", "max_image_bytes", "alt_max"):
            row[limit] = getattr(rules, limit)
        out.append(row)
    return out
