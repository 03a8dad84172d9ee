"""Why an outbound request failed, in words a task author can act on.

Shared by every outbound client (HTTP action, file downloads, the Shopify client).
"""

import re

_REPR_PREFIX = re.compile(r"^<[^>]*>:\s*")


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind a ``requests`` error: the ``OSError`` that says what happened."""
    seen = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = getattr(current, "reason", None)
        if not isinstance(inner, BaseException):
            inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        inner = inner or current.__cause__ or current.__context__
        if inner is None:
            break
        current = inner
    return current


def describe_failure(exc: BaseException) -> str:
    """A short reason without object reprs: ``Connection refused``, ``Name or service not known``."""
    cause = root_cause(exc)
    reason = getattr(cause, "strerror", None)
    if not reason:
        # urllib3 prefixes the connection object's repr: "<...HTTPConnection object at 0x..>: message".
        reason = _REPR_PREFIX.sub("", str(cause) or type(cause).__name__)
    return reason
