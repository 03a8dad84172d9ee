"""``browser`` (spec/liquid.md §4.2): user agents parsed with the uap-core regexes shipped by
``ua-parser`` (its builtins data), as objects that print like Mechanic's."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ua_parser import parse as parse_user_agent

from ..values import to_s

_UNKNOWN = "Other"


class Version:
    """A version: prints (and encodes as JSON) as the full dotted version
    (``79.0.259819395``); ``.major``, ``.minor``, ``.patch`` (strings, nil when absent).
    Empty when unknown."""

    __slots__ = ("parts",)
    names = ("major", "minor", "patch", "patch_minor")

    def __init__(self, *parts: str | None):
        self.parts = tuple(parts) + (None,) * (4 - len(parts))

    def __str__(self) -> str:
        present: list[str] = []
        for part in self.parts:
            if part is None:
                break
            present.append(part)
        return ".".join(present)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Version):
            return self.parts == other.parts
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __getitem__(self, key: Any) -> Any:
        if key in self.names:
            return self.parts[self.names.index(key)]
        raise KeyError(key)

    def to_liquid_json(self) -> str:
        """JSON form: the printed version."""
        return str(self)


class _Part:
    """Base of the browser, OS and device objects: lookups by name, printing via ``text``."""

    fields: tuple[str, ...] = ()

    def __init__(self, **values: Any):
        self.values = values

    def __getitem__(self, key: Any) -> Any:
        if key in self.fields:
            return self.values[key]
        raise KeyError(key)

    def __str__(self) -> str:
        return self.text()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Part):
            return type(self) is type(other) and self.values == other.values
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def text(self) -> str:
        """The printed form (§1.8)."""
        name, version = self.values["name"], str(self.values.get("version") or "")
        return f"{name} {version}" if version else name

    def to_liquid_json(self) -> dict:
        """JSON form (decision): the fields as a hash, versions as strings."""
        out = {}
        for key in self.fields:
            item = self.values[key]
            out[key] = item.to_liquid_json() if isinstance(item, (_Part, Version)) else item
        return out


class OperatingSystem(_Part):
    """``browser.os``: ``name``, ``version``; prints as ``iOS 12.4``."""

    fields = ("name", "version")


class Device(_Part):
    """``browser.device``: ``name``, ``brand``, ``model``; prints as its name."""

    fields = ("name", "brand", "model")

    def text(self) -> str:
        """The device name."""
        return self.values["name"]


class Browser(_Part):
    """The ``browser`` result: ``name``, ``version``, ``os``, ``device``; prints as
    ``Google 79.0.259819395``."""

    fields = ("name", "version", "os", "device")


@lru_cache(maxsize=256)
def _browser(agent: str) -> Browser:
    result = parse_user_agent(agent)
    ua, os, device = result.user_agent, result.os, result.device
    return Browser(
        name=ua.family if ua else _UNKNOWN,
        version=Version(ua.major, ua.minor, ua.patch, ua.patch_minor) if ua else Version(),
        os=OperatingSystem(
            name=os.family if os else _UNKNOWN,
            version=Version(os.major, os.minor, os.patch, os.patch_minor) if os else Version(),
        ),
        device=Device(
            name=device.family if device else _UNKNOWN,
            brand=device.brand if device else None,
            model=device.model if device else None,
        ),
    )


def browser(value: Any) -> Browser:
    """``browser`` (§4.2): a user-agent string → browser object.

    ``name``; ``version`` (prints as the full version; ``.major``, ``.minor``); ``os``
    (``name``, ``version``); ``device`` (``name``, ``brand``, ``model``). Unknown agents (and
    nil) read as name ``Other`` with an empty version.
    """
    return _browser(to_s(value))


FILTERS = {"browser": browser}
