"""One clock for what a run waits on and times (spec/runtime.md §14.1, the in-run throttling waits).

``TaskRun.perform``, ``ActionRun.perform`` and ``bulk.poll`` take a ``clock`` and hand it down to
the Shopify client, which sleeps, times requests and dates the shop's stored rate-limit state with
it. Production always uses ``SYSTEM_CLOCK``; a test passes a clock that moves only when slept on,
so a throttled run is performed without waiting while its waits stay observable.
"""

import time
from datetime import datetime

from django.utils import timezone


class Clock:
    """Real time.

    ``sleep(seconds)`` blocks for ``seconds`` (a float, may be 0); ``monotonic()`` is seconds
    from an arbitrary start, for measuring durations; ``now()`` is the current time as an aware
    UTC ``datetime``. Subclasses replace all three together so they agree with each other.
    """

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        time.sleep(seconds)

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes back."""
        return time.monotonic()

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        return timezone.now()


SYSTEM_CLOCK = Clock()
