"""What rendering and the action performers read of the run engine's rows.

The run models live in ``runs``, which depends on this app, not the other way round; these
protocols name the attributes ``tasks_app`` uses of ``runs.models.TaskRun`` and
``runs.models.ActionRun`` (spec/runtime.md §4.4, §4.5), so it needs no import of them.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from events.models import Event
    from integrations.models import Shop
    from tasks_app.models import Task


class TaskRunRecord(Protocol):
    """A task run: its task, event and shop; ``secret_nonce`` (what its secret references carry);
    ``shopify_api_version``; ``result_meta`` (the Shopify usage counters, updated in place)."""

    pk: Any
    task_id: Any
    secret_nonce: str
    shopify_api_version: str
    result_meta: Any

    @property
    def task(self) -> "Task | None": ...

    @property
    def event(self) -> "Event": ...

    @property
    def shop(self) -> "Shop": ...


class ActionRunRecord(Protocol):
    """An action run: its type, frozen ``options``, ``meta``, Shopify API version and usage
    counters, the task run that made it, and the start times the performer fills in when a
    caller has not (``started_at``, ``_clock``: ``time.monotonic()`` at the start)."""

    pk: Any
    action_type: str
    options: Any
    meta: Any
    shopify_api_version: str
    result_meta: Any
    started_at: datetime | None
    _clock: float

    @property
    def shop(self) -> "Shop": ...

    @property
    def task_run(self) -> TaskRunRecord: ...
