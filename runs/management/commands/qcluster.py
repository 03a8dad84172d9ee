"""``manage.py qcluster``: Django-Q2's worker cluster, with the run engine's sweeper and a graceful
stop (spec/runtime.md §6 revised decision).

Besides Django-Q2's cluster, this process runs the sweeper every ``HUB_SWEEP_INTERVAL_S`` seconds
in a thread (``runs.sweeper``). On SIGTERM or SIGINT the cluster stops claiming at once (its
workers see ``runs.worker.STOPPING``; queued wake-up calls they still take are dropped, and the
runs they name stay due for the sweeper), lets the runs in flight end, and exits; after
``HUB_SHUTDOWN_GRACE_S`` seconds, or at a second signal, it kills what is left, whose runs the
sweeper then takes back as a lost worker's. When Django-Q2's sentinel dies unasked (killed, out of
memory), the workers, pusher and monitor it leaves behind are killed too and the command fails,
so a process manager starts a whole new cluster instead of one running beside headless workers.
"""

import contextlib
import ctypes
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError
from django.db import close_old_connections, connection, connections
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as DjangoQCommand

from runs import sweeper, worker

logger = logging.getLogger("runs.worker")

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from ``/proc`` (Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, [])]
        found += frontier
    return found


def adopt_orphans() -> None:
    """Make this process the one that inherits its descendants' orphans (Linux), so that the
    sentinel's workers stay among its ``descendants`` when the sentinel dies."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: orphans go to init
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class SweeperThread(threading.Thread):
    """Sweeps every ``interval`` seconds until stopped; a failed sweep is logged and retried."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="hub-sweeper", daemon=True)
        self.interval = interval
        self.halt = threading.Event()

    def run(self) -> None:
        holder = f"cluster:{worker.owner()}"
        while not self.halt.is_set():
            try:
                close_old_connections()
                sweeper.sweep(holder=holder)
            except Exception:  # the next sweep tries again; nothing is lost by waiting
                logger.exception("sweep failed")
                connection.close()
            self.halt.wait(self.interval)
        try:  # a stopping cluster hands its turn on, so another one sweeps without waiting
            sweeper.release_turn(holder)
        except Exception:  # its turn then lapses on its own
            logger.exception("could not hand on the sweeper's turn")
        connection.close()


class GracefulStop:
    """The cluster's SIGTERM/SIGINT handler: stop claiming, let runs end, kill after the grace."""

    def __init__(self, cluster: Cluster, grace: float) -> None:
        self.cluster = cluster
        self.grace = grace
        self.requested = False

    def handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            logger.warning("second stop signal: killing the cluster's processes now")
            self.kill_rest()
            return
        self.requested = True
        worker.STOPPING.set()
        logger.info("stopping: no new runs are claimed; waiting up to %s s for runs in flight", self.grace)
        threading.Thread(target=self.cluster.stop, name="hub-cluster-stop", daemon=True).start()
        threading.Thread(target=self.deadline, name="hub-stop-deadline", daemon=True).start()

    def deadline(self) -> None:
        end = time.monotonic() + self.grace
        while time.monotonic() < end:
            if not self.cluster.sentinel.is_alive():
                return
            time.sleep(0.2)
        logger.warning(
            "runs still in flight after %s s: killing them (the sweeper takes them back)", self.grace
        )
        self.kill_rest()

    def kill_rest(self) -> None:
        for pid in reversed(descendants(os.getpid())):
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGKILL)


class Command(DjangoQCommand):
    """``qcluster``: Django-Q2's cluster plus the run engine's sweeper and graceful stop."""

    help = "Start a Django-Q2 cluster with the run engine's sweeper and a graceful stop on SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        settings.SECRET_KEY  # noqa: B018  (signing needs it: fail now, not in a worker)
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        worker.STOPPING.clear()
        adopt_orphans()
        cluster = Cluster()
        stop = GracefulStop(cluster, grace=float(settings.HUB_SHUTDOWN_GRACE_S))
        signal.signal(signal.SIGTERM, stop.handle)
        signal.signal(signal.SIGINT, stop.handle)
        # No database connection may cross the fork into the cluster's processes (SQLite's file
        # locks would have two owners): close this thread's, and start the sweeper's thread (and
        # its connection) only once the cluster's processes exist.
        connections.close_all()
        cluster.start()
        sweeping = SweeperThread(float(settings.HUB_SWEEP_INTERVAL_S))
        sweeping.start()
        if options.get("run_once"):
            stop.handle(signal.SIGTERM, None)
        while cluster.sentinel.is_alive():
            time.sleep(0.2)
        sweeping.halt.set()
        sweeping.join(timeout=5)
        if not stop.requested:
            stop.kill_rest()
            raise CommandError(
                f"the sentinel died (exit code {cluster.sentinel.exitcode}); its processes were killed"
            )
        logger.info("cluster stopped")
