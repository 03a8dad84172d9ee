"""A ``hub.clock.Clock`` for tests that moves only when slept on, and records every sleep."""

from datetime import datetime, timedelta

from django.utils import timezone

from hub.clock import Clock


class FakeClock(Clock):
    """Time that passes only through ``sleep``.

    ``sleeps`` lists every sleep in seconds (rounded to the microsecond), in order, so a test
    asserts the waits exactly. ``monotonic()`` starts at 1000.0 and ``now()`` at the real time
    the clock was made; both move by exactly what was slept. Calling the clock gives
    ``monotonic()``: the stand-in's ``Store(clock=...)`` takes it in that form, so its rate-limit
    buckets refill with the same sleeps.
    """

    def __init__(self) -> None:
        self.seconds = 1000.0
        self.sleeps: list[float] = []
        self._start_seconds = self.seconds
        self._start = timezone.now()

    def __call__(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and move the clock by it; returns at once."""
        self.sleeps.append(round(seconds, 6))
        self.seconds += seconds

    def monotonic(self) -> float:
        """Seconds: 1000.0 plus everything slept."""
        return self.seconds

    def now(self) -> datetime:
        """The creation time plus everything slept (aware, UTC)."""
        return self._start + timedelta(seconds=self.seconds - self._start_seconds)
