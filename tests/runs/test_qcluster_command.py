"""``manage.py qcluster`` around Django-Q2's cluster (the real thing runs in ``test_recovery.py``)."""

import signal
import threading
from types import SimpleNamespace

from django.core.management import call_command

from runs.management.commands import qcluster


def test_the_sweeper_thread_starts_only_after_the_sentinel_is_forked(monkeypatch):
    """A process forked while another thread holds a lock inherits the lock held by nobody: the
    sentinel hung in SQLite's allocator when the sweeper had started first."""
    threads_at_fork: list[str] = []

    class Cluster:
        sentinel = SimpleNamespace(is_alive=lambda: False)

        def start(self) -> None:
            threads_at_fork.extend(thread.name for thread in threading.enumerate())

        def stop(self) -> None:
            pass

    monkeypatch.setattr(qcluster, "Cluster", Cluster)
    monkeypatch.setattr(qcluster, "adopt_orphans", lambda: None)
    monkeypatch.setattr(qcluster.sweeper, "sweep", lambda **kwargs: None)
    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        call_command("qcluster", run_once=True)
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])

    assert threads_at_fork
    assert "hub-sweeper" not in threads_at_fork
