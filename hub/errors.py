"""The one error base that says whether retrying could help (spec/runtime.md §9.1).

Action errors (``tasks_app.action_errors``), the Shopify client's errors and the integration
clients' ``ApiError`` all derive from ``HubError``. The run engine reads ``permanent`` from the
error a run failed with, and decides in one place (``runs.retries``) whether it is retried.
"""


class HubError(Exception):
    """A failure with a ``permanent`` flag: false when a later attempt may succeed (network
    errors, timeouts, 5xx answers), true when retrying the same thing cannot help."""

    permanent: bool = True
