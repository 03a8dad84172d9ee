"""``browser`` (spec/liquid.md §4.2). Placeholder until the ``ua-parser`` dependency lands:
every agent reads as the spec's unknown agent (name ``Other``, empty version)."""

from __future__ import annotations

from typing import Any


class _Part(dict):
    """A browser/os/device part; prints as its name and version."""

    def __str__(self) -> str:
        return " ".join(str(self[k]) for k in ("name", "version") if self.get(k)).strip()


def browser(value: Any) -> dict:
    """``browser`` (§4.2): user-agent object with ``name``, ``version``, ``os``, ``device``."""
    version = _Part(major=None, minor=None)
    return _Part(
        name="Other",
        version="",
        os=_Part(name="Other", version=version),
        device=_Part(name="Other", brand=None, model=None),
    )


FILTERS = {"browser": browser}
