"""``{% error %}``: same forms as ``log``, prints ``{"error": …}`` (spec/liquid.md §2.4)."""

from __future__ import annotations

from .log_tag import LogTag


class ErrorTag(LogTag):
    """``error``: block, single value or mapped form."""

    name = "error"
    end = "enderror"
