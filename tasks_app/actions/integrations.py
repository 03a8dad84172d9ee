"""What the integration actions share (spec/actions.md §9–§15, spec/platform.md §6.1).

Finding the shop's connected account named by the ``account`` option, the
option set of the generic wrappers (``airtable``, ``google``, ``slack``:
``account``, ``method``, ``url_path``, ``headers``, ``body``), and turning
client failures (``integrations.clients.ApiError``) into action errors.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict, overload

from hub.jsontypes import JSONObject
from tasks_app.actions.base import (
    ActionError,
    OptionError,
    PermanentActionError,
    TransientActionError,
    describe,
    require_object,
    string_option,
)
from tasks_app.actions.http import clean_headers, header_lookup, media_type

if TYPE_CHECKING:
    from integrations.clients.base import ApiResponse
    from integrations.models import Connection, Shop

WRAPPER_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
BODY_REQUIRED = ("POST", "PATCH", "PUT")


class PartialFailure(PermanentActionError):
    """A failure that still produced a result (spec/actions.md §11 Errors: ``google_drive``).

    ``result`` is what the run records beside the error (the shared base keeps
    it); ``permanent`` is set per instance.
    """

    def __init__(self, message: str, result: Any, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.result = result
        self.permanent = permanent


def connection_for(shop: "Shop", service: str, label: str) -> "Connection":
    """The shop's ``Connection`` of ``service`` labelled ``label``.

    Raises ``PermanentActionError`` naming the service, the connected labels,
    and where to connect one (spec/actions.md §0: missing connection).
    """
    from integrations.models import Connection, ConnectionMissing

    try:
        return Connection.objects.lookup(shop, service, label)
    except ConnectionMissing as exc:
        raise PermanentActionError(str(exc)) from None


def action_error(exc: Exception) -> ActionError:
    """An ``ApiError`` as the action error to raise: transient when a retry may help."""
    if getattr(exc, "transient", False):
        return TransientActionError(str(exc))
    return PermanentActionError(str(exc))


class WrapperResult(TypedDict):
    """The result of a generic wrapper call (spec/platform.md §6.1)."""

    status: int
    body: Any


def wrapper_result(response: "ApiResponse") -> WrapperResult:
    """``{"status": <int>, "body": <parsed JSON or text>}`` (spec/platform.md §6.1)."""
    return {"status": response.status, "body": response.body}


@dataclass(frozen=True)
class WrapperOptions:
    """Cleaned wrapper options: ``method`` upper-case, ``headers`` without Authorization."""

    account: str
    method: str
    url_path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def validate_wrapper(options: Any, *, methods: tuple[str, ...], json_content_type: bool) -> WrapperOptions:
    """Check the shared wrapper options; raises ``OptionError``.

    ``json_content_type``: ``headers`` is required and must include
    ``Content-Type: application/json`` (Airtable and Slack, per their docs).
    ``body`` is required for POST, PATCH and PUT. Hub sets the bearer token,
    so a task's own ``Authorization`` header is dropped.
    """
    options = require_object(options)
    account = string_option(options, "account", require=True, blank=False)
    method = string_option(options, "method", require=True, blank=False).strip().upper()
    if method not in methods:
        raise OptionError("method", f"{options['method']!r} is not one of {', '.join(methods)}")
    url_path = string_option(options, "url_path", require=True, blank=False).strip()
    if not url_path.startswith("/"):
        raise OptionError("url_path", f"must start with /, got {url_path!r}")
    if json_content_type and options.get("headers") is None:
        raise OptionError("headers", 'is required and must include "Content-Type": "application/json"')
    headers = clean_headers(options)
    if json_content_type and media_type(header_lookup(headers, "Content-Type")) != "application/json":
        raise OptionError("headers", 'must include "Content-Type": "application/json"')
    headers = {name: value for name, value in headers.items() if name.lower() != "authorization"}
    body = options.get("body")
    if body is None and method in BODY_REQUIRED:
        raise OptionError("body", f"is required for {method}")
    return WrapperOptions(account=account, method=method, url_path=url_path, headers=headers, body=body)


# With ``require=True`` the result is always an object.
@overload
def object_option(options: JSONObject, name: str, *, require: Literal[True]) -> JSONObject: ...
@overload
def object_option(options: JSONObject, name: str, *, require: bool = False) -> JSONObject | None: ...
def object_option(options: JSONObject, name: str, *, require: bool = False) -> JSONObject | None:
    """An object option; null counts as absent."""
    value = options.get(name)
    if value is None:
        if require:
            raise OptionError(name, "is required")
        return None
    if not isinstance(value, dict):
        raise OptionError(name, f"must be an object, got {describe(value)}")
    return value
