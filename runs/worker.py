"""The worker side of the engine: who holds a claim, the lease heartbeat, and stopping
(spec/runtime.md §6, revised decision).

Every process that claims runs has an ``owner`` name (host, pid and a random part). While it
holds runs, a daemon thread renews their leases every third of ``HUB_RUN_LEASE_S``; a process
that dies stops renewing, and the sweeper takes its runs back once their leases lapse.
``STOPPING`` is set by ``qcluster`` on SIGTERM; the cluster's worker processes (forked after it
was made) see it and stop claiming.
"""

import logging
import multiprocessing
import os
import secrets
import socket
import threading
from datetime import timedelta

from django.db import close_old_connections, connection
from django.utils import timezone

from runs.models import ActionRun, EventRun, RunStatus, TaskRun
from runs.models.runs import lease_seconds

logger = logging.getLogger("runs.worker")

# Shared with the processes a cluster forks after this module was imported (fork start method).
STOPPING = multiprocessing.Event()

_owner: tuple[int, str] | None = None
_heartbeat: tuple[int, threading.Thread, threading.Event] | None = None
# Held while the heartbeat decides to end and while a claimer checks it runs, so that a run claimed
# meanwhile is either renewed by the ending heartbeat's last look or finds it gone and starts one.
_heartbeat_lock = threading.Lock()


def owner() -> str:
    """This process's claim owner: ``<host>:<pid>:<random>`` (new after a fork)."""
    global _owner
    pid = os.getpid()
    if _owner is None or _owner[0] != pid:
        _owner = (pid, f"{socket.gethostname()}:{pid}:{secrets.token_hex(4)}")
    return _owner[1]


def stopping() -> bool:
    """Whether this cluster is stopping (then nothing new is claimed)."""
    return STOPPING.is_set()


def renew_leases(name: str) -> int:
    """Extend the leases of every run ``name`` holds; returns how many."""
    until = timezone.now() + timedelta(seconds=lease_seconds())
    return sum(
        model.objects.filter(lease_owner=name, status=RunStatus.STARTED).update(lease_expires_at=until)
        for model in (ActionRun, TaskRun, EventRun)
    )


# The heartbeat ends after this many beats with nothing to renew (the next claim starts it again).
IDLE_BEATS = 3


def _beat(name: str, interval: float, halt: threading.Event) -> None:
    idle = 0
    while not halt.wait(interval):
        try:
            close_old_connections()
            idle = 0 if renew_leases(name) else idle + 1
            if idle >= IDLE_BEATS and _retire(name):
                break
        except Exception:  # a missed beat is retried next time; the lease outlasts two of them
            logger.exception("lease renewal for %s failed", name)
            connection.close()
            idle += 1
    connection.close()


def _retire(name: str) -> bool:
    """End the heartbeat unless ``name`` holds a run now (then renew it and go on)."""
    global _heartbeat
    with _heartbeat_lock:
        if renew_leases(name):
            return False
        _heartbeat = None
        return True


def ensure_heartbeat() -> None:
    """Start this process's lease-renewing thread unless it runs (again after a fork, or after it
    ended for want of runs to renew)."""
    global _heartbeat
    pid = os.getpid()
    with _heartbeat_lock:
        if _heartbeat is not None and _heartbeat[0] == pid and _heartbeat[1].is_alive():
            return
        halt = threading.Event()
        thread = threading.Thread(
            target=_beat, args=(owner(), lease_seconds() / 3, halt), name="hub-lease-heartbeat", daemon=True
        )
        thread.start()
        _heartbeat = (pid, thread, halt)


def end_heartbeat(timeout: float = 5.0) -> None:
    """Stop this process's heartbeat now and wait up to ``timeout`` seconds for its thread (the
    leases it renewed then lapse on their own); the next claim starts a new one."""
    global _heartbeat
    with _heartbeat_lock:
        beating, _heartbeat = _heartbeat, None
    if beating is not None and beating[0] == os.getpid():
        beating[2].set()
        beating[1].join(timeout=timeout)
