"""The standing schedules' routine Django-Q2 lines are DEBUG; runs and failures keep their level."""

import logging

import pytest

ROUTINE = [
    "Enqueued [hub] 17",
    "Process-a5d4 created task tango-robin from schedule [hub: scheduler topics tick]",
    "Process-3dc9 processing summer 'runs.sweeper.sweep' [hub: sweep runs]",
    "Processed 'runs.bulk.poll_due_monitors' (oxygen-eight-uranus-paris)",
]
KEPT = [
    "Processed 'runs.dispatch.wake' (delta-echo)",
    "Process-3dc9 processing delta-echo 'runs.dispatch.wake'",
    "Q Cluster winter-cat-quiet-paris [hub] running.",
]


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[tuple[str, str]] = []

    def emit(self, record):
        self.records.append((record.levelname, record.getMessage()))


@pytest.fixture
def q_logger():
    """Django-Q2's logger as settings.LOGGING configures it, with a recording handler."""
    logger = logging.getLogger("django-q")
    recorder = Recorder()
    logger.addHandler(recorder)
    level = logger.level
    yield logger, recorder.records
    logger.removeHandler(recorder)
    logger.setLevel(level)


def test_routine_schedule_lines_are_hidden_at_info(q_logger):
    logger, records = q_logger
    logger.setLevel(logging.INFO)
    for message in ROUTINE + KEPT:
        logger.info(message)
    assert records == [("INFO", message) for message in KEPT]


def test_routine_schedule_lines_show_as_debug_at_debug(q_logger):
    logger, records = q_logger
    logger.setLevel(logging.DEBUG)
    for message in ROUTINE + KEPT:
        logger.info(message)
    assert records == [("DEBUG", message) for message in ROUTINE] + [("INFO", message) for message in KEPT]


def test_a_failed_standing_schedule_is_never_lowered(q_logger):
    logger, records = q_logger
    logger.setLevel(logging.INFO)
    logger.error("Failed 'events.scheduler.tick' (tango-robin) - boom")
    assert records == [("ERROR", "Failed 'events.scheduler.tick' (tango-robin) - boom")]
