"""The shared base of every action performer (spec/actions.md §0.2, spec/runtime.md §4.5).

An action type is one ``Action`` subclass registered by its type name. The
base owns what every type shares: option validation (errors that name the
option), timing, secret resolution and redaction (spec/actions.md §0.4,
spec/platform.md §5.3), and turning the outcome into the ``(result, error)``
pair an action run records.
"""

import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from django.utils import timezone

from hub.clock import SYSTEM_CLOCK, Clock
from hub.jsonkind import json_kind
from hub.jsontypes import JSONObject

# The error classes live outside this package so that modules the actions import (the file
# generators) can subclass them without importing every action type first; re-exported here.
from tasks_app.action_errors import ActionError, PermanentActionError, TransientActionError  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from integrations.models import Shop
    from tasks_app.run_records import ActionRunRecord

# A JSON type name for option errors (``string``, ``number``, ``array``...).
describe = json_kind

logger = logging.getLogger("tasks_app.actions")


class OptionError(PermanentActionError):
    """A validation error naming the option at fault: ``option "to": ...``."""

    def __init__(self, name: str, message: str) -> None:
        self.option = name
        super().__init__(f'option "{name}": {message}')


@dataclass(frozen=True)
class ActionContext:
    """What ``Action.perform`` works with.

    ``options`` is what ``validate`` returned (the cleaned options), ``run`` the
    run engine's action run (``ActionRunRecord``), ``shop`` its shop; ``enqueue`` says whether runs created
    by the action are handed to the queue (false in tests and ``--sync``);
    ``secret_values`` the raw secret values substituted into the options (for
    performers that must mask them in transcripts; the base redacts the
    recorded result and error anyway); ``clock`` what throttling waits on
    (``hub.clock``; tests pass a fake one).
    """

    run: "ActionRunRecord"
    shop: "Shop"
    options: Any
    enqueue: bool = True
    secret_values: tuple[str, ...] = ()
    clock: Clock = SYSTEM_CLOCK

    @property
    def secrets_used(self) -> bool:
        """Whether resolving the options substituted any secret value."""
        return bool(self.secret_values)


@dataclass(frozen=True)
class Outcome:
    """The outcome of performing one action run.

    ``error`` is None on success (``result`` is then JSON-able); otherwise
    ``permanent`` says whether a retry could help and ``result`` is None, except
    for a partial failure that still produced one (spec/actions.md §11).
    """

    result: Any = None
    error: str | None = None
    permanent: bool = True

    @property
    def ok(self) -> bool:
        return self.error is None


SECRET_DIAGNOSTIC_KEYS = frozenset({"body_base64", "data_base64"})


def redact_outcome(outcome: Outcome, raw_values: list[str]) -> Outcome:
    """``outcome`` with no trace of ``raw_values`` (spec/actions.md §0.4).

    When any secret was resolved, every ``body_base64``/``data_base64`` field at
    any depth of the result becomes ``__mechanic_secret_value_redacted__``, and
    each raw value found in any string of the result or the error (literal,
    base64- or percent-encoded) becomes that token too.
    """
    if not raw_values:
        return outcome
    from tasks_app.secrets import REDACTED, redact

    def blank_diagnostics(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: REDACTED if key in SECRET_DIAGNOSTIC_KEYS else blank_diagnostics(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [blank_diagnostics(item) for item in value]
        return value

    result = redact(blank_diagnostics(outcome.result), raw_values) if outcome.result is not None else None
    error = redact(outcome.error, raw_values) if outcome.error is not None else None
    return Outcome(result=result, error=error, permanent=outcome.permanent)


class Action:
    """One action type. Subclasses set ``type`` and implement ``validate`` and ``perform``.

    ``validate(options)`` returns the cleaned options or raises
    ``PermanentActionError`` (usually ``OptionError``); ``perform(context)``
    returns the JSON result or raises an ``ActionError``. Neither is called in
    previews (spec/actions.md §0.3).

    ``secret_fields`` names the top-level option keys whose strings (at any
    depth) have this task run's secret references replaced by raw values before
    ``validate`` sees them (spec/actions.md §0.4: only ``http`` and ``ftp``
    declare any). Whenever a value was substituted, the recorded result and
    error are redacted; the stored options are never touched, so they keep the
    references.
    """

    type: ClassVar[str] = ""
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def precheck(self, action_run: "ActionRunRecord") -> None:
        """Refuse the run before its options are looked at (e.g. the shop may not use this type).

        Raises ``ActionError``; the default accepts every run.
        """

    def validate(self, options: Any) -> Any:
        """Check ``options`` and return them in the shape ``perform`` expects."""
        return options

    def perform(self, context: ActionContext) -> Any:
        """Do the action's work and return its result (spec/actions.md, per type)."""
        raise NotImplementedError

    def execute(
        self, action_run: "ActionRunRecord", *, enqueue: bool = True, clock: Clock = SYSTEM_CLOCK
    ) -> Outcome:
        """Validate and perform ``action_run``'s options; never raises.

        Validation failures are permanent (spec/runtime.md §4.5 step 4). An
        unexpected exception is logged and recorded as a non-permanent failure
        so that the run still ends as a row with an error, never as a stuck
        ``started`` run.
        """
        if getattr(action_run, "started_at", None) is None:
            action_run.started_at = timezone.now()
        if getattr(action_run, "_clock", None) is None:
            action_run._clock = time.monotonic()
        started = time.monotonic()
        raw_values: list[str] = []
        try:
            self.precheck(action_run)
            options = self.resolve_secrets(action_run, raw_values)
            cleaned = self.validate(options)
            context = ActionContext(
                run=action_run,
                shop=action_run.shop,
                options=cleaned,
                enqueue=enqueue,
                secret_values=tuple(raw_values),
                clock=clock,
            )
            outcome = Outcome(result=self.perform(context))
        except ActionError as exc:
            # Most failures record no result; a partial failure (google_drive) carries one.
            outcome = Outcome(error=str(exc), permanent=exc.permanent, result=getattr(exc, "result", None))
        except Exception as exc:  # a bug in a performer must still end the run as a failed row
            if raw_values:  # the traceback could quote a secret: log the redacted text only
                logger.error("%s action run %s crashed: %s", self.type, action_run.pk, type(exc).__name__)
            else:
                logger.exception("%s action run %s crashed", self.type, action_run.pk)
            # Permanent: the action may already have reached the other side, so retrying it by
            # itself could perform it twice (a person decides, as for a lost worker).
            outcome = Outcome(
                error=f"internal error in the {self.type} action: {type(exc).__name__}: {exc}",
                permanent=True,
            )
        outcome = redact_outcome(outcome, raw_values)
        logger.info(
            "%s action run %s %s in %d ms",
            self.type,
            action_run.pk,
            "succeeded" if outcome.ok else "failed",
            int((time.monotonic() - started) * 1000),
        )
        return outcome

    def resolve_secrets(self, action_run: "ActionRunRecord", raw_values: list[str]) -> Any:
        """The options with this run's secret references resolved in ``secret_fields``.

        Appends every substituted raw value to ``raw_values`` (the caller redacts
        with them). A reference to a secret the shop no longer has fails the run
        permanently with ``secret not found: <key>`` before anything is sent
        (spec/platform.md §5.3). Other fields, and every other action type, keep
        the opaque reference text.
        """
        options = action_run.options
        if not self.secret_fields or not isinstance(options, dict):
            return options
        if not any(options.get(name) is not None for name in self.secret_fields):
            return options
        from tasks_app.secrets import SecretError, resolve_references

        nonce = getattr(action_run.task_run, "secret_nonce", None)
        if not nonce:  # a run rendered before secrets existed holds no references to resolve
            return options
        selected = {name: options[name] for name in self.secret_fields if options.get(name) is not None}
        try:
            resolved, used = resolve_references(selected, shop=action_run.shop, nonce=nonce)
        except SecretError as exc:
            raise PermanentActionError(str(exc)) from None
        raw_values.extend(used)
        return {**options, **resolved}


_REGISTRY: dict[str, type[Action]] = {}


def register(cls: type[Action]) -> type[Action]:
    """Class decorator: make ``cls`` the performer of action type ``cls.type``."""
    if not cls.type:
        raise ValueError(f"{cls.__name__} has no action type name")
    if cls.type in _REGISTRY and _REGISTRY[cls.type] is not cls:
        raise ValueError(f"action type {cls.type!r} is registered twice")
    _REGISTRY[cls.type] = cls
    return cls


def action_class(type_name: str) -> type[Action] | None:
    """The registered performer of ``type_name``, or None."""
    return _REGISTRY.get(type_name)


def registered_types() -> list[str]:
    """The supported action type names, sorted."""
    return sorted(_REGISTRY)


# --- option helpers -------------------------------------------------------------------------------------
# Shared by the performers so that every validation error reads the same way.


def compact_json(value: Any) -> str:
    """``value`` as compact JSON, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def require_object(options: Any) -> JSONObject:
    """``options`` itself must be a JSON object; raises ``PermanentActionError`` otherwise."""
    if not isinstance(options, dict):
        raise PermanentActionError(f"options must be an object, got {describe(options)}")
    return options


def required(options: JSONObject, name: str) -> Any:
    """The value of a required option; absent or null raises ``OptionError``."""
    value = options.get(name)
    if value is None:
        raise OptionError(name, "is required")
    return value


# With ``require=True`` the result is always a string.
@overload
def string_option(options: JSONObject, name: str, *, require: Literal[True], blank: bool = True) -> str: ...
@overload
def string_option(
    options: JSONObject, name: str, *, require: bool = False, blank: bool = True
) -> str | None: ...
def string_option(options: JSONObject, name: str, *, require: bool = False, blank: bool = True) -> str | None:
    """A string option; null counts as absent. ``blank=False`` rejects whitespace-only strings."""
    value = options.get(name)
    if value is None:
        if require:
            raise OptionError(name, "is required")
        return None
    if not isinstance(value, str):
        raise OptionError(name, f"must be a string, got {describe(value)}")
    if not blank and not value.strip():
        raise OptionError(name, "must not be blank")
    return value


def to_bool(value: Any, name: str) -> bool:
    """Coerce a boolean option: ``true``/``false`` or those words as strings (spec/actions.md §0.5)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise OptionError(name, f"must be true or false, got {compact_json(value)}")


def bool_option(options: JSONObject, name: str, default: bool) -> bool:
    """A boolean option with a default; null counts as absent."""
    value = options.get(name)
    return default if value is None else to_bool(value, name)


def to_int(value: Any, name: str) -> int:
    """Coerce an integer option: integers, integral floats, or integer strings (spec/actions.md §0.5)."""
    if isinstance(value, bool):
        raise OptionError(name, f"must be an integer, got {compact_json(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise OptionError(name, f"must be an integer, got {compact_json(value)}")
