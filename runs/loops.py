"""Loop protection (spec/runtime.md §10.4).

A task run answering ``mechanic/actions/perform`` whose rendered result is the same as that of
the task run that produced the triggering action fails with ``Loop detected`` and creates no
action runs. A task run answering a Shopify update topic whose rendered actions are the same as
those of two other runs of the same task for the same resource within ten minutes (the third
identical run) gets all its action runs created already failed with a loop error.
"""

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from django.utils import timezone

from runs.matching import FOLLOW_UP_TOPIC
from runs.models import ActionRun, TaskRun

UPDATE_TOPIC = re.compile(r"shopify/[a-z_]+/(update|updated)")
WINDOW = timedelta(minutes=10)
# The third identical run within the window is the one flagged.
REPEATS_BEFORE_FLAG = 2
UPDATE_LOOP_ERROR = (
    "Loop detected: this task rendered the same actions for the same resource three times within "
    "10 minutes in answer to Shopify update events; the actions were not performed"
)


def canonical(value: Any) -> str:
    """Canonical JSON (sorted keys, no spaces) for comparing rendered results."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def follow_up_loop(task_run: TaskRun, objects: list[Any]) -> bool:
    """Whether ``task_run`` answers a follow-up event with exactly the result of the task run whose
    action produced that event."""
    event = task_run.event
    if event.topic != FOLLOW_UP_TOPIC or not event.origin_action_run_id:
        return False
    origin = ActionRun.objects.filter(pk=event.origin_action_run_id).select_related("task_run").first()
    return origin is not None and canonical(origin.task_run.result) == canonical(objects)


def update_fingerprint(task_run: TaskRun, actions: list[Any]) -> str:
    """For a task run answering a Shopify update topic with actions: a digest of task, resource id
    and the rendered actions; "" otherwise."""
    event = task_run.event
    if not actions or not UPDATE_TOPIC.fullmatch(event.topic):
        return ""
    resource = event.data.get("id") if isinstance(event.data, dict) else None
    material = canonical([str(task_run.task_id), resource, actions])
    return hashlib.sha256(material.encode()).hexdigest()


def update_loop(task_run: TaskRun, fingerprint: str) -> bool:
    """Whether ``fingerprint`` was rendered by two other runs within the last ten minutes."""
    if not fingerprint:
        return False
    since = timezone.now() - WINDOW
    repeats = TaskRun.objects.filter(actions_fingerprint=fingerprint, created_at__gte=since).exclude(
        pk=task_run.pk
    )
    return repeats.count() >= REPEATS_BEFORE_FLAG
