"""Who a worker is, and which workers are dead: lease owners and breaking the leases of the dead."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path

from campaign.queue import Store


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return "-"


def worker_id() -> str:
    """`host/boot/pid/random`: unique per run, and enough to tell a dead local worker."""
    return f"{socket.gethostname()}/{_boot_id()}/{os.getpid()}/{os.urandom(3).hex()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_owner(owner: str, me: str) -> bool:
    """True only when `owner` ran on this machine, since this boot, in a process now gone."""
    try:
        host, boot, pid, _ = owner.split("/")
        my_host, my_boot, _, _ = me.split("/")
        return host == my_host and boot == my_boot and boot != "-" and not _pid_alive(int(pid))
    except ValueError:
        return False


def break_dead_leases(store: Store, me: str, now: datetime) -> int:
    """Expire the leases of local workers that died (SIGKILL, power), so restart needn't wait."""
    n = 0
    for owner in store.lease_owners():
        if owner != me and dead_owner(owner, me):
            n += store.expire_leases(owner, now=now, reason=f"worker {owner} is gone")
    return n
