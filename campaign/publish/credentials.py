"""Where account secrets come from: environment variables or a 0600 secrets file. Never YAML.

Variables are named `CAMPAIGN_<ACCOUNT>_<FIELD>` (account and field upper-cased,
`-` as `_`), or `<PREFIX>_<FIELD>` when the account sets `credentials: PREFIX`.
The secrets file (`campaign accounts login` writes it) lives in the user config
folder and is refused when others can read it. Every value read is registered
with `campaign.redact`, so it never shows in output, logs or errors.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from campaign import redact
from campaign.errors import AuthError, CredentialsError


def secrets_path() -> Path:
    """`secrets.json` in the user config folder (CAMPAIGN_SECRETS overrides)."""
    override = os.environ.get("CAMPAIGN_SECRETS")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("campaign")) / "secrets.json"


def env_prefix(account: str, prefix: str | None = None) -> str:
    base = prefix or f"CAMPAIGN_{account}"
    return base.upper().replace("-", "_").rstrip("_") + "_"


def env_name(account: str, field: str, prefix: str | None = None) -> str:
    return env_prefix(account, prefix) + field.upper()


def read_secrets_file(path: Path | None = None) -> dict[str, dict[str, str]]:
    """All accounts' secrets from the file; {} when there is none. Refuses a readable-by-others file."""
    path = path or secrets_path()
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise CredentialsError(f"{path}: cannot read secrets file: {e.strerror or e}") from None
    _check_secrets_file(path, st)
    try:
        data = json.loads(_read_regular(path).decode("utf-8"))
    except (OSError, ValueError) as e:
        raise CredentialsError(f"{path}: cannot read secrets file: {e}") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path}: secrets file must hold an object keyed by account")
    for values in data.values():
        if isinstance(values, dict):
            for v in values.values():
                redact.register(str(v))
    return data


MAX_SECRETS_BYTES = 1 << 20  # a secrets file holds a few keys; anything larger is not one


def _check_secrets_file(path: Path, st: os.stat_result) -> None:
    """Refuse anything but a regular file (a FIFO would hang the read), and a file others can read."""
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a directory" if stat.S_ISDIR(st.st_mode) \
            else "not a regular file"
        raise CredentialsError(f"{path}: the secrets file is {kind}; it must be a regular file")
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path}: secrets file is readable by other users (mode {stat.S_IMODE(st.st_mode):o}); "
            f"run: chmod 600 {path}"
        )


def _read_regular(path: Path) -> bytes:
    """The file's bytes, opened without blocking and checked again once open (no FIFO swapped in)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        _check_secrets_file(path, st)
        if st.st_size > MAX_SECRETS_BYTES:
            raise CredentialsError(f"{path}: the secrets file is larger than {MAX_SECRETS_BYTES} bytes")
        chunks, size = [], 0
        while size <= MAX_SECRETS_BYTES:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_secrets(account: str, values: dict[str, str], path: Path | None = None) -> Path:
    """Store (merge) an account's secrets in the 0600 file, atomically."""
    path = path or secrets_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = read_secrets_file(path)
    data.setdefault(account, {}).update(values)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for v in values.values():
        redact.register(v)
    return path


@dataclass(frozen=True)
class Credentials:
    """An account's secrets and, per field, where each came from (for `campaign accounts`)."""

    account: str
    values: dict[str, str]
    sources: dict[str, str]

    def __getitem__(self, field: str) -> str:
        return self.values[field]

    def get(self, field: str, default: str | None = None) -> str | None:
        return self.values.get(field, default)

    def __repr__(self) -> str:  # never print the values
        return f"Credentials({self.account!r}, fields={sorted(self.values)})"


def lookup(
    account: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    prefix: str | None = None,
    secrets_file: Path | None = None,
) -> Credentials:
    """The account's fields from the environment first, then the secrets file.

    Raises AuthError naming every missing variable (never a value).
    """
    stored = read_secrets_file(secrets_file).get(account, {})
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for field in required + optional:
        name = env_name(account, field, prefix)
        if os.environ.get(name):
            values[field] = os.environ[name]
            sources[field] = f"env {name}"
        elif stored.get(field):
            values[field] = str(stored[field])
            sources[field] = f"secrets file {secrets_file or secrets_path()}"
    for v in values.values():
        redact.register(v)
    missing = [env_name(account, f, prefix) for f in required if f not in values]
    if missing:
        raise AuthError(
            "missing credentials: set " + ", ".join(missing)
            + f" or run `campaign accounts login CONFIG {account}`",
            account=account,
        )
    return Credentials(account, values, sources)


#: credential variables, by the end of their name (`_APP_PASSWORD`, `_ACCESS_TOKEN_SECRET`, ...)
_SECRET_SUFFIXES = ("_PASSWORD", "_TOKEN", "_SECRET", "_API_KEY")


def register_known(extra: list[str]) -> int:
    """Register every secret known now with `campaign.redact`: the secrets file's values, the
    `CAMPAIGN_*` credential variables' and `extra`; how many (long enough to be masked)."""
    values = [str(v) for account in read_secrets_file().values() if isinstance(account, dict)
              for v in account.values()]  # read_secrets_file registers these
    values += [v for k, v in os.environ.items() if k.startswith("CAMPAIGN_") and k.endswith(_SECRET_SUFFIXES)]
    values += [v for v in extra if v]
    for v in values:
        redact.register(v)
    return len({v for v in values if len(v) >= redact.MIN_LENGTH})
