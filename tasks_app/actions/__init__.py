"""Action performers, one module per action type (spec/actions.md).

``perform_action`` is what ``ActionRun.perform`` calls; each type is an
``Action`` subclass registered in ``base`` by its type name.
"""

from typing import TYPE_CHECKING

from hub.clock import SYSTEM_CLOCK, Clock
from tasks_app.actions import cache, echo, email, event, files, ftp, http, shopify  # noqa: F401  (register the types)

# isort: split
# The integration types (spec/actions.md §9–§15).
from tasks_app.actions import (  # noqa: F401  (register the types)
    airtable,
    flow,
    google,
    google_drive,
    google_sheets,
    report_toaster,
    slack,
)
from tasks_app.actions.base import (
    Action,
    ActionContext,
    ActionError,
    OptionError,
    Outcome,
    PermanentActionError,
    TransientActionError,
    action_class,
    registered_types,
)

if TYPE_CHECKING:
    from tasks_app.run_records import ActionRunRecord

__all__ = [
    "Action",
    "ActionContext",
    "ActionError",
    "OptionError",
    "Outcome",
    "PermanentActionError",
    "TransientActionError",
    "action_class",
    "execute_action",
    "perform_action",
    "registered_types",
]


def execute_action(
    action_run: "ActionRunRecord", *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK
) -> Outcome:
    """Perform ``action_run`` and return its ``Outcome`` (result, error, permanent).

    ``clock`` is handed to the performer (``ActionContext.clock``) for throttling waits.

    A type without a registered performer fails permanently with
    ``unknown action type "<type>"`` and the list of known types (spec/actions.md §0.1).
    """
    performer = action_class(action_run.action_type)
    if performer is None:
        known = ", ".join(registered_types())
        return Outcome(error=f'unknown action type "{action_run.action_type}" (known types: {known})')
    return performer().execute(action_run, enqueue=enqueue, clock=clock)


def perform_action(
    action_run: "ActionRunRecord", *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK
) -> tuple[object, str | None]:
    """Perform ``action_run``; returns ``(result, error)`` with ``error`` None on success.

    On failure ``result`` is None and ``error`` the human-readable text to store.
    """
    outcome = execute_action(action_run, enqueue=enqueue, clock=clock)
    return outcome.result, outcome.error
