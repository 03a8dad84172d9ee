"""Task preview: render a task against synthetic events, perform nothing (spec/platform.md §7.6,
spec/runtime.md §15, spec/liquid.md §6).

Works on a task export dict and needs no database unless a stored shop is given (then the
shop's latest stored event of a topic is preferred over Hub's sample data).
"""

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from events.topics import strip_offset
from integrations.models import build_liquid_shop
from tasks_app.globals import liquid_scope
from tasks_app.importer import TaskImportError, render_subscriptions
from tasks_app.liquid import RenderSettings
from tasks_app.options import (
    FILL_ID,
    OptionKeyError,
    OptionValueError,
    fill_required,
    fill_value,
    is_empty,
    options_for_texts,
    parse_option_key,
)
from tasks_app.permissions import PermissionsError, required_scopes
from tasks_app.rendering import RenderOutcome, render_task, task_variables

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
PREVIEW_SHOP_DOMAIN = "example.myshopify.com"
PREVIEW_SHOP_DATA = {
    "id": 1,
    "name": "Example Shop",
    "email": "owner@example.com",
    "customer_email": "support@example.com",
    "domain": "example.myshopify.com",
    "iana_timezone": "UTC",
    "currency": "USD",
    "primary_location_id": 1,
    "country_code": "US",
    "plan_name": "basic",
    "shop_owner": "Example Owner",
}
TRIGGER_TOPIC = "mechanic/user/trigger"

# JSON kinds of action options (spec/actions.md §0.6 and each type's section).
OBJECT = (dict,)
ACTION_OPTION_KINDS: dict[str, tuple[type, ...] | None] = {
    "shopify": (str, dict, list),
    "http": OBJECT,
    "email": OBJECT,
    "ftp": OBJECT,
    "files": OBJECT,
    "flow": OBJECT,
    "airtable": OBJECT,
    "google_drive": OBJECT,
    "google_sheets": OBJECT,
    "google": OBJECT,
    "report_toaster": OBJECT,
    "slack": OBJECT,
    "event": OBJECT,
    "cache": (dict, list),
    "echo": None,  # anything
}


@dataclass
class PreviewEvent:
    """A synthetic event: ``source`` is ``definition``, ``stored``, ``sample`` or ``none``."""

    topic: str
    data: Any
    description: str | None = None
    source: str = "sample"
    notice: str | None = None
    stored: dict | None = None


@dataclass
class PreviewResult:
    """One preview render (spec/runtime.md §15).

    ``ok`` is true when the render finished, produced a valid stream, has no error objects,
    and every action has a known type with options of the JSON kind that type takes.
    ``exception`` is the render failure text (Liquid error, invalid stream, bad options);
    ``notices`` explain fallbacks (no sample data) and invalid actions.
    """

    task: str
    topic: str
    description: str | None = None
    actions: list[dict] = field(default_factory=list)
    logs: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    exception: str | None = None
    notices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shopify_calls: list = field(default_factory=list)
    permissions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exception is None and not self.errors and not self.problems

    def json_record(self, file: str | None = None) -> dict:
        """The ``--json`` line: ``{file, task, topic, description, ok, actions: [{type, options,
        meta}], logs, errors, exception, notices, permissions}``; ``permissions`` is the whole
        task's sorted list of required Shopify scopes (the same on every line)."""
        return {
            "file": file,
            "task": self.task,
            "topic": self.topic,
            "description": self.description,
            "ok": self.ok,
            "actions": self.actions,
            "logs": self.logs,
            "errors": self.errors,
            "exception": self.exception,
            "notices": self.notices + self.problems,
            "permissions": self.permissions,
        }

    def as_dict(self) -> dict:
        """For templates: ``json_record`` plus ``options_json`` (readable one-line JSON) on each action."""
        record = self.json_record()
        record["actions"] = [
            dict(action, options_json=json.dumps(action["options"], ensure_ascii=False))
            for action in self.actions
        ]
        return record


def load_sample(topic: str) -> tuple[bool, Any]:
    """``(found, data)`` of Hub's sample event data for ``topic`` (tasks_app/samples)."""
    return _sample(topic)


@cache
def _sample(topic: str) -> tuple[bool, Any]:
    path = SAMPLES_DIR / f"{topic.replace('/', '__')}.json"
    if not path.is_file():
        return False, None
    return True, json.loads(path.read_text())


def preview_events(topic: str, definitions: list[dict], shop=None) -> list[PreviewEvent]:
    """Preview events for ``topic`` by priority (spec/platform.md §7.6): the task's definitions
    (each its own event), else the stored shop's latest event of the topic, else sample data,
    else ``null`` for ``user/`` topics and ``{}`` for others (with a notice)."""
    defined = [
        PreviewEvent(
            topic=topic,
            data=definition["event_attributes"].get("data"),
            description=definition.get("description"),
            source="definition",
        )
        for definition in definitions or []
        if isinstance(definition, dict)
        and isinstance(definition.get("event_attributes"), dict)
        and definition["event_attributes"].get("topic") == topic
    ]
    if defined:
        return defined
    if shop is not None:
        from events.models import Event

        latest = Event.objects.filter(shop=shop, topic=topic).order_by("-created_at").first()
        if latest is not None:
            return [
                PreviewEvent(
                    topic=topic, data=latest.data, source="stored", stored=latest.liquid_data(preview=True)
                )
            ]
    found, data = load_sample(topic)
    if found:
        return [PreviewEvent(topic=topic, data=data, source="sample")]
    if topic.startswith("user/"):
        return [
            PreviewEvent(topic, None, source="none", notice=f"no preview event for {topic}; data is null")
        ]
    return [PreviewEvent(topic, {}, source="none", notice=f"no sample data for {topic}; data is {{}}")]


def preview_options(task: dict, *, fill: bool = False) -> dict:
    """Discovered options with coerced values from ``task["options"]``; raises OptionKeyError/
    OptionValueError. With ``fill``, empty required options get placeholder values."""
    stored = task.get("options") if isinstance(task.get("options"), dict) else {}
    values, _dropped = options_for_texts(task, stored)
    return fill_required(values) if fill else values


def preview_topics(task: dict, options: dict, shop_data: dict, timezone: str) -> list[str]:
    """The subscribed topics, offsets stripped, de-duplicated, in order; ``mechanic/user/trigger``
    when there are none. Raises ``TaskImportError`` for a bad template."""
    template = task.get("subscriptions_template")
    lines = task.get("subscriptions") or []
    if template is None or (not str(template).strip() and lines):
        template = "\n".join(str(line) for line in lines)
    subscriptions = render_subscriptions(
        template,
        options,
        shop_data,
        timezone,
        fail=lambda reason: TaskImportError(task.get("name") or "task", "$.subscriptions_template", reason),
    )
    topics = list(dict.fromkeys(strip_offset(sub.line) for sub in subscriptions))
    return topics or [TRIGGER_TOPIC]


def preview_task_definition(
    task: dict,
    *,
    fill_required: bool = False,
    explore: bool = False,
    shop=None,
    now: datetime | None = None,
) -> list[PreviewResult]:
    """Preview a task export dict: one ``PreviewResult`` per preview event per subscribed topic.

    ``shop`` is a stored ``Shop`` (its data, time zone and latest events are used) or None for
    the built-in preview shop (example.myshopify.com, UTC, USD; no database access).
    ``fill_required`` fills empty required options (``tasks_app.options.fill_value``).
    ``explore`` (implies ``fill_required``) then searches for option values under which every
    preview is ok and some preview renders an action (``explore_options``); each result then
    carries a notice naming the options it changed.
    Never raises for problems in the task: they become failing results.
    """
    preview = _Preview(task, shop, now or datetime.now(UTC))
    try:
        options = preview_options(task, fill=fill_required or explore)
    except (OptionKeyError, OptionValueError) as exc:
        return [PreviewResult(task=preview.name, topic="", exception=f"option {exc}")]
    results = preview.results(options)
    if explore:
        results = preview.explore(options, results)
    _add_permissions(task, results)
    return results


@dataclass
class _Preview:
    """What every render of one task's preview shares: the task, the shop and the clock.

    ``shop`` is a stored ``Shop`` or None for the built-in preview shop; ``shop_data`` and
    ``timezone`` are the Liquid shop and its time zone, ``task_data`` the ``task`` object.
    """

    task: dict
    shop: Any
    now: datetime
    name: str = field(init=False)
    shop_data: dict = field(init=False)
    timezone: str = field(init=False)
    task_data: dict = field(init=False)

    def __post_init__(self) -> None:
        self.name = str(self.task.get("name") or "")
        if self.shop is not None:
            self.shop_data, self.timezone = self.shop.liquid_data(), self.shop.timezone_name
        else:
            self.shop_data = build_liquid_shop(PREVIEW_SHOP_DOMAIN, PREVIEW_SHOP_DATA)
            self.timezone = "UTC"
        self.task_data = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hub-preview-task:{self.name}")),
            "name": self.name,
            "created_at": _iso(self.now),
        }

    def results(self, options: dict) -> list[PreviewResult]:
        """One result per preview event per subscribed topic, with these option values."""
        try:
            topics = preview_topics(self.task, options, self.shop_data, self.timezone)
        except TaskImportError as exc:
            return [PreviewResult(task=self.name, topic="", exception=f"subscriptions: {exc.reason}")]
        results = []
        scope = liquid_scope(self.shop)
        for topic in topics:
            events = preview_events(topic, self.task.get("preview_event_definitions"), self.shop)
            for index, event in enumerate(events):
                results.append(self.render(event, index, options, scope))
        return results

    def explore(self, options: dict, results: list[PreviewResult]) -> list[PreviewResult]:
        """``explore_options`` from these results; each result notes the options it changed."""
        adjusted, results = explore_options(
            options, results, self.results, str(self.task.get("script") or "")
        )
        if adjusted:
            notice = "preview options adjusted: " + ", ".join(
                f"{key}={json.dumps(adjusted[key], ensure_ascii=False)}" for key in adjusted
            )
            for result in results:
                result.notices.append(notice)
        return results

    def render(self, event: PreviewEvent, index: int, options: dict, scope: dict) -> PreviewResult:
        """The result of rendering the task for preview event ``index`` of its topic."""
        shopify_topic = event.topic if event.topic.startswith("shopify/") else None
        event_data = event.stored or {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hub-preview-event:{self.name}:{event.topic}:{index}")),
            "topic": event.topic,
            "data": event.data,
            "source": "preview",
            "created_at": _iso(self.now),
            "shopify_topic": shopify_topic,
            "webhook_request_id": None,
            "flow_action_run_id": None,
            "parent": None,
            "preview": True,
        }
        settings = RenderSettings(timezone=self.timezone, now=self.now, preview=True, shopify=_no_shopify)
        variables = task_variables(
            shop=self.shop_data, event=event_data, task=self.task_data, cache={}, scope=scope
        )
        try:
            outcome = render_task(
                script=self.task.get("script") or "",
                option_values=options,
                variables=variables,
                settings=settings,
            )
        except Exception as exc:  # noqa: BLE001  (a preview reports every failure, it never crashes)
            outcome = RenderOutcome(error=f"internal error while rendering: {type(exc).__name__}: {exc}")
        return _result(self.name, event, outcome)


def _add_permissions(task: dict, results: list[PreviewResult]) -> None:
    """Give every result the task's required scopes (spec/platform.md §7.9); an invalid
    ``{% permissions %}`` block is a problem of every result instead (it would block saving)."""
    try:
        scopes = required_scopes(task, results)
    except PermissionsError as exc:
        for result in results:
            result.problems.append(f"permissions: {exc}")
        return
    for result in results:
        result.permissions = list(scopes)


def explore_options(
    options: dict,
    results: list[PreviewResult],
    preview: Callable[[dict], list[PreviewResult]],
    script: str = "",
) -> tuple[dict, list[PreviewResult]]:
    """Greedy search for option values that make a task's previews pass.

    Library tasks validate their own configuration (spec/platform.md §7.4: "choose exactly one
    of...", "fill in X or Y") and many ship with test mode on, so placeholder values for the
    required options alone rarely reach an action. Each step tries, option by option in order,
    filling an empty option (``fill_value``), flipping a boolean, or setting a placeholder text
    option to a word the script itself allows (``allowed_words``), and keeps the first change
    that scores best: fewer failing previews first, then having an action at all. Stops when
    every preview is ok with an action, or when no change helps. Returns ``(changed option
    values, results)``; ``({}, results)`` when nothing helped.
    """
    current, best = dict(options), results
    changed: dict = {}
    words = allowed_words(script)
    for _step in range(MAX_EXPLORE_STEPS):
        score = _score(best)
        if score == (0, 0, 0):
            break
        moves = list(_option_moves(current, changed, words))
        # Single changes first; pairs only when none helps ("test mode" off needs "live mode" on).
        candidates = [[move] for move in moves]
        pairs = [[a, b] for i, a in enumerate(moves) for b in moves[i + 1 :]]
        winner = None
        for group in (candidates, pairs if len(moves) <= MAX_PAIR_MOVES else []):
            for moveset in group:
                trial = preview(dict(current, **dict(moveset)))
                trial_score = _score(trial)
                if trial_score < score:
                    winner, score, best_trial = moveset, trial_score, trial
                    if trial_score == (0, 0, 0):
                        break
            if winner is not None:
                break
        if winner is None:
            break
        current.update(winner)
        changed.update(winner)
        best = best_trial
    return changed, best


MAX_EXPLORE_STEPS = 6
MAX_PAIR_MOVES = 12


def _score(results: list[PreviewResult]) -> tuple[int, int, int]:
    """(failing previews, error objects and exceptions, 1 when no preview has an action)."""
    failing = sum(not result.ok for result in results)
    errors = sum(len(result.errors) + (result.exception is not None) for result in results)
    return (failing, errors, 0 if any(result.actions for result in results) else 1)


# `"customer,order,product" | split: ","`: a script listing the words an option may hold.
ALLOWED_WORDS_RE = re.compile(r"""(["'])([A-Za-z_]+(?:,[A-Za-z_]+)+)\1\s*\|\s*split:\s*(["']),\3""")


def allowed_words(script: str) -> list[str]:
    """The first word of each comma-separated word list the script splits, in order, once each."""
    return list(dict.fromkeys(match[2].split(",")[0] for match in ALLOWED_WORDS_RE.finditer(script)))


def _option_moves(values: dict, changed: dict, words: list[str]):
    """``(key, value)`` candidates, each option once: fill it when empty, flip it when boolean,
    try each allowed word on a text option that holds nothing or a placeholder, and as the
    only key of a text keyval (keeping its first value)."""
    for key, value in values.items():
        if key in changed:
            continue
        try:
            spec = parse_option_key(key)
        except OptionKeyError:
            continue
        if spec.type == "boolean":
            yield key, not value
            continue
        if spec.type in ("global", "secret"):
            continue
        placeholder = fill_value(spec)
        if is_empty(value):
            yield key, placeholder
        if spec.type == "text" and (is_empty(value) or value == placeholder):
            for word in words:
                yield key, word
        elif spec.type == "keyval" and spec.element_type != "number":
            # Keys the script checks against its word list (risk levels mapped to tags).
            first = next(iter(value.values()), None) if isinstance(value, dict) else None
            for word in words:
                yield key, {word: first if first is not None else placeholder[FILL_ID]}


def _result(name: str, event: PreviewEvent, outcome: RenderOutcome) -> PreviewResult:
    """Task ``name``'s preview result from a render's outcome, with the problems its actions
    would meet."""
    result = PreviewResult(
        task=name,
        topic=event.topic,
        description=event.description,
        actions=[
            {"type": action.get("type"), "options": action.get("options"), "meta": action.get("meta")}
            if isinstance(action, dict)
            else {"type": None, "options": action, "meta": None}
            for action in outcome.actions
        ],
        logs=outcome.logs,
        errors=outcome.errors,
        exception=outcome.error if outcome.error and not outcome.errors else None,
        notices=([event.notice] if event.notice else []) + list(outcome.notices),
        shopify_calls=list(outcome.shopify_calls or []),
    )
    result.problems = [
        problem
        for number, action in enumerate(result.actions, 1)
        if (problem := action_problem(number, action))
    ]
    return result


def action_problem(number: int, action: dict) -> str | None:
    """Why action ``number`` (1-based) would fail as an action run, or None: an unknown type or
    options of the wrong JSON kind (spec/actions.md §0.6)."""
    kind = action.get("type")
    if not isinstance(kind, str) or kind not in ACTION_OPTION_KINDS:
        return f"action {number}: unknown action type {kind!r}"
    allowed = ACTION_OPTION_KINDS[kind]
    options = action.get("options")
    if allowed is not None and not isinstance(options, allowed):
        names = " or ".join({dict: "an object", list: "an array", str: "a string"}[t] for t in allowed)
        return f"action {number} ({kind}): options must be {names}, got {_kind(options)}"
    if kind == "shopify" and isinstance(options, dict) and not isinstance(options.get("query"), str):
        return f'action {number} (shopify): options object needs a "query" string'
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _no_shopify(query: str, variables: dict | None = None) -> None:
    """Previews never reach Shopify: every ``shopify`` filter call reads nil (spec/liquid.md §6.2)."""
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
