"""Media (cards) kept by the store, content-addressed, so any worker can publish a post's images.

A queued draft's `MediaRef.path` holds what the store's `put_media` returned:
- SQLite and the in-memory store keep each image once in their `media_dir` folder (beside
  the database) and hand back that file's path, as they always did (`FolderMedia`);
- PostgreSQL keeps the bytes in its `media` table and hands back a content key,
  `sha256:<64 hex><suffix>`; `media_file` then writes the image into a local cache folder,
  checked against its hash, so a worker on any machine can upload it.

The worker asks `local_media(store, draft)` for a draft whose paths are local files right
before the platform call; the queued draft keeps the store's references.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.errors import QueueError
from campaign.models import Draft

if TYPE_CHECKING:
    from campaign.queue.store import Store

KEY_PREFIX = "sha256:"
_KEY = re.compile(r"^sha256:([0-9a-f]{64})(\.[a-z0-9]{1,10})?$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def clean_suffix(suffix: str) -> str:
    """A file name's suffix fit for a key and a cache file name (lowercase; '' when odd)."""
    s = suffix.lower()
    return s if _SUFFIX.match(s) else ""


def media_key(data: bytes, suffix: str) -> str:
    """The content key of an image: `sha256:<hex><suffix>`."""
    return f"{KEY_PREFIX}{hashlib.sha256(data).hexdigest()}{clean_suffix(suffix)}"


def parse_key(ref: str) -> tuple[str, str] | None:
    """`(hex digest, suffix)` of a content key, or None when `ref` is not one (a file path)."""
    m = _KEY.match(ref)
    return (m.group(1), m.group(2) or "") if m else None


def write_atomic(dest: Path, data: bytes) -> None:
    """Write `dest` whole or not at all (a temporary file renamed over it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_media(path: str) -> bytes:
    """The bytes of a card to queue; QueueError naming the file when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise QueueError(f"cannot read media {path}: {e.strerror or e}") from None


def folder_put(media_dir: Path, data: bytes, suffix: str) -> str:
    """Keep `data` once in `media_dir` under a name made of its hash; the file's path."""
    dest = media_dir / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix.lower()}"
    if not dest.exists():
        write_atomic(dest, data)
    return str(dest)


def store_media(draft: Draft, store: Store) -> Draft:
    """The draft with each image handed to the store (`put_media`) and referred to by what it
    returned. The same card queued twice is kept once; an edited card gets a new reference."""
    if not draft.media:
        return draft
    kept = [replace(m, path=store.put_media(read_media(m.path), Path(m.path).suffix)) for m in draft.media]
    return replace(draft, media=tuple(kept))


def local_media(store: Store, draft: Draft) -> Draft:
    """The draft with each image's reference replaced by a local file (`store.media_file`): what
    an adapter uploads. Raises QueueError when the store does not hold an image."""
    if not draft.media:
        return draft
    return replace(draft, media=tuple(replace(m, path=str(store.media_file(m.path))) for m in draft.media))


class FolderMedia:
    """`put_media` / `media_file` for a store whose media live in its `media_dir` folder."""

    media_dir: Path

    def put_media(self, data: bytes, suffix: str) -> str:
        return folder_put(self.media_dir, data, suffix)

    def media_file(self, ref: str) -> Path:
        """The file itself (a path as queued); a missing file is the adapter's to report."""
        return Path(ref)


class Sleeps:
    """`wait` for a store that cannot be told of changes by another process: it sleeps."""

    def wait(self, timeout: float, *, stop: threading.Event | None = None) -> bool:
        if stop is not None:
            stop.wait(max(timeout, 0.0))
        elif timeout > 0:
            time.sleep(timeout)
        return False
