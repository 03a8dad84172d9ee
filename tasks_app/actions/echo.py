"""The ``echo`` action: returns its options, or fails on demand (spec/actions.md §7)."""

from typing import Any

from tasks_app.actions.base import Action, ActionContext, PermanentActionError, compact_json, register


@register
class EchoAction(Action):
    """No side effect; the result is the options exactly as stored.

    Options: any JSON value. An object with a non-null ``__error`` fails the run
    with that value as the error: a string as is, anything else as compact
    JSON. The forced error is permanent. A null ``__error`` forces nothing
    (``__error: some_variable`` with the variable unset means "no error").
    """

    type = "echo"

    def perform(self, context: ActionContext) -> Any:
        options = context.options
        if isinstance(options, dict) and options.get("__error") is not None:
            forced = options["__error"]
            raise PermanentActionError(forced if isinstance(forced, str) else compact_json(forced))
        return options
