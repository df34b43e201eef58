"""`campaign accounts` (list, check, login) and `campaign adapters`.

Credentials are never printed: the listing says where each field comes from
(an environment variable, the secrets file, or MISSING), never its value.
"""

from __future__ import annotations

from typing import Any

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json


class _DefaultList(click.Group):
    """A group whose bare form, `campaign accounts CONFIG`, means `campaign accounts list CONFIG`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_DefaultList)
def accounts() -> None:
    """The campaign's accounts: where credentials come from, who they post as, storing them.

    \b
      campaign accounts CONFIG [--json]          list accounts and credential sources
      campaign accounts check CONFIG [ACCOUNT]   ask each platform who the account posts as
      campaign accounts login CONFIG ACCOUNT     store an account's secrets (0600 file)

    Credentials come from environment variables CAMPAIGN_<ACCOUNT>_<FIELD>
    (or <PREFIX>_<FIELD> when the account sets `credentials: PREFIX`), else from
    the secrets file that `login` writes. Values are never shown.
    """


# --- commands ---------------------------------------------------------------------------------


@accounts.command("list")
@config_argument()
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
def list_accounts(config: str, as_json: bool) -> None:
    """List CONFIG's accounts, their platform and handle, and where each credential comes from.

    Sources: `env VARIABLE`, `secrets file PATH`, or MISSING (with the variable to set).
    `campaign accounts CONFIG` is the same command.
    """
    from campaign.config import load
    from campaign.publish.accounts import credential_sources

    cfg = load(config)
    rows = credential_sources(cfg)
    if as_json:
        echo_json({"accounts": rows})
    else:
        for row in rows:
            state = "" if row["enabled"] else ", disabled"
            click.echo(f"{row['account']}  ({row['platform']}, {row['handle'] or 'no handle'}{state})")
            if row.get("problem"):
                click.echo(f"  {row['problem']}")
            if not row["credentials"] and not row.get("problem"):
                click.echo("  no credentials needed")
            for field, src in row["credentials"].items():
                if src["source"] == "env":
                    where = f"env {src['variable']}"
                elif src["source"] == "secrets file":
                    where = f"secrets file {src['path']}"
                else:
                    where = (f"MISSING: set {src['variable']} or run "
                             f"`campaign accounts login {config} {row['account']}`")
                click.echo(f"  {field:<22}{where}")


@accounts.command("check")
@config_argument()
@click.argument("account", required=False)
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="Seconds to wait for each platform.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def check(config: str, account: str | None, timeout: float, as_json: bool) -> None:
    """Ask each platform who ACCOUNT (default: every enabled account) posts as.

    Prints the handle for each account as the platform names it (a Mastodon-API
    server's `@user@domain`), or the exact problem (missing variable, revoked
    token, read-only app, ...), and warns when the YAML's `handle:` names someone
    else. Reads each instance's limits again. Exits 1 if any account fails.
    """
    from campaign.config import load
    from campaign.publish.accounts import check_accounts

    cfg = load(config)
    if account is not None and account not in cfg.accounts:
        raise click.BadParameter(
            f"no account '{account}' in {config}; accounts: {', '.join(cfg.accounts)}",
            param_hint="ACCOUNT",
        )
    names = [account] if account else list(cfg.enabled_accounts())
    results = check_accounts(cfg, names, timeout)
    if as_json:
        echo_json({"accounts": results})
    else:
        for r in results:
            if r["ok"]:
                url = f" {r['url']}" if r.get("url") else ""
                click.echo(f"{r['account']}: ok, posts to {r['platform']} as {r['handle']}{url}")
                if r.get("warning"):
                    click.echo(f"{r['account']}: warning: {r['warning']}", err=True)
            else:
                msg = r["error"]
                if not msg.startswith(r["account"] + ":"):
                    msg = f"{r['account']}: {msg}"
                click.echo(f"{msg}", err=True)
    if not all(r["ok"] for r in results):
        click.get_current_context().exit(1)


@accounts.command("login")
@config_argument()
@click.argument("account")
def login(config: str, account: str) -> None:
    """Prompt (without echo) for ACCOUNT's credentials and store them in the 0600 secrets file.

    The file is in the user config folder (or $CAMPAIGN_SECRETS). Environment
    variables, when set, still take precedence over it.
    """
    import os

    from campaign.config import load
    from campaign.publish.accounts import credential_fields
    from campaign.publish.credentials import env_name, secrets_path, write_secrets

    cfg = load(config)
    if account not in cfg.accounts:
        raise click.BadParameter(
            f"no account '{account}' in {config}; accounts: {', '.join(cfg.accounts)}",
            param_hint="ACCOUNT",
        )
    acct = cfg.accounts[account]
    fields = credential_fields(acct.platform)
    if not fields:
        click.echo(f"{account} ({acct.platform}) needs no credentials")
        return
    from campaign.publish.credentials import read_secrets_file

    read_secrets_file()  # refuse a readable-by-others file before asking for anything
    click.echo(f"{account} ({acct.platform}): enter {len(fields)} value(s); input is hidden")
    values: dict[str, str] = {}
    for field in fields:
        value = click.prompt(f"  {field}", hide_input=True, type=str).strip()
        if not value:
            raise click.UsageError(f"{field} cannot be empty")
        values[field] = value
    path = write_secrets(account, values, secrets_path())
    click.echo(f"stored {', '.join(fields)} for {account} in {path} (mode 600)")
    shadowed = [env_name(account, f, acct.credentials) for f in fields
                if os.environ.get(env_name(account, f, acct.credentials))]
    if shadowed:
        click.echo("note: these environment variables are set and take precedence: " + ", ".join(shadowed))
    click.echo(f"next: campaign accounts check {config} {account}")


@cli.command("adapters")
@click.option("--json", "as_json", is_flag=True, help="Print the adapters as JSON.")
def adapters_command(as_json: bool) -> None:
    """List the installed adapters (built-in and plugins, entry-point group campaign.adapters)
    with their limits: characters per post, images per post, bytes per image, alt text length."""
    from campaign.cli.output import table
    from campaign.publish.accounts import adapter_listing

    rows = adapter_listing()
    if as_json:
        echo_json({"adapters": rows})
        return

    def num(v: Any) -> str:
        if v is None:
            return "?"
        return "no limit" if isinstance(v, int) and v >= 1_000_000_000 else str(v)

    table("Adapters",
          ["name", "source", "max_chars", "max_images", "max_image_bytes", "alt_max", "credentials"],
          [[r["name"], r["source"] + (f" - {r['error']}" if r.get("error") else ""),
            num(r.get("max_chars")), num(r.get("max_images")), num(r.get("max_image_bytes")),
            num(r.get("alt_max")), ", ".join(r.get("credential_fields") or []) or "-"]
           for r in rows])
