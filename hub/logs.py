"""Logging filters: keep the standing schedules' routine Django-Q2 lines out of the way.

Django-Q2 logs four INFO lines each time a standing schedule of ``hub.cluster`` runs
(enqueued, created from schedule, processing, processed): about a dozen a minute
that bury what an operator or the ``make run`` demo wants to see. This filter
lowers those lines to DEBUG, so they show only when ``HUB_LOG_LEVEL=DEBUG``. Runs,
failures and the cluster's start and stop keep their level.
"""

import logging

from hub.cluster import SCHEDULES

STANDING_FUNCTIONS = tuple(f"'{func}'" for func, _minutes in SCHEDULES.values())
STANDING_NAMES = tuple(f"[{name}]" for name in SCHEDULES)


def is_routine(message: str) -> bool:
    """Whether a Django-Q2 INFO message is bookkeeping of a standing schedule.

    ``Enqueued [queue] id`` lines count too: they name no task, and every run or
    schedule that matters is logged again when a worker processes it.
    """
    return (
        message.startswith("Enqueued [")
        or any(name in message for name in STANDING_NAMES)
        or (message.startswith("Processed '") and any(func in message for func in STANDING_FUNCTIONS))
    )


class StandingScheduleFilter(logging.Filter):
    """Lowers routine standing-schedule records of the ``django-q`` logger to DEBUG.

    A lowered record passes only when its logger is enabled for DEBUG. Records
    above INFO (a failed schedule, say) are never touched.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not is_routine(record.getMessage()):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
