"""The action error hierarchy (spec/actions.md §0.2, spec/runtime.md §9.1).

Re-exported by ``tasks_app.actions.base``, which is where action code imports them
from. They live here, outside the ``tasks_app.actions`` package, so that helpers the
action modules depend on (the file generators in ``tasks_app.files``) can raise
them without importing every action type first.
"""

from hub.errors import HubError


class ActionError(HubError):
    """An action failed; ``str(error)`` is the human-readable text stored on the run."""

    # Set per class; an instance may override it (``PartialFailure``).
    permanent: bool = True


class PermanentActionError(ActionError):
    """A failure that retrying cannot fix: invalid options, a refused message, a forced error."""

    permanent = True


class TransientActionError(ActionError):
    """A failure that may pass on retry: connection errors, timeouts, 5xx (spec/runtime.md §9.1)."""

    permanent = False
