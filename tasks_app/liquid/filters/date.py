"""``date`` and ``parse_date`` (spec/liquid.md §4.7): store-timezone parsing, ``"now"``
arithmetic, calendar options, ``advance`` and Ruby ``strftime``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta
from liquid.filter import with_context

from ..values import HubRenderError, to_s
from .base import settings_of, split_options

_UTC_NAMES = frozenset(["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"])
_UNITS = {
    "year": "years",
    "month": "months",
    "week": "weeks",
    "day": "days",
    "hour": "hours",
    "minute": "minutes",
    "second": "seconds",
}
_TERM = re.compile(r"([+-]?)\s*(\d+)\s*(year|month|week|day|hour|minute|second)s?\b", re.IGNORECASE)
_NOW = re.compile(r"\A\s*(now|today)\s*(?:([+-])\s*(.+?))?\s*\Z", re.IGNORECASE | re.DOTALL)
_UNIX = re.compile(r"\A\s*-?\d+\s*\Z")
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def zone(name: Any) -> ZoneInfo:
    """An IANA zone; unknown names are render errors."""
    try:
        return ZoneInfo(to_s(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HubRenderError(f"date: unknown time zone {to_s(name)!r}") from exc


def parse_duration(text: str, sign: int = 1) -> list[tuple[str, int]]:
    """``"1 year, -2 days"`` → ``[("years", 1), ("days", -2)]``; anything else is an error."""
    terms, pos = [], 0
    text = text.strip()
    while pos < len(text):
        while pos < len(text) and text[pos] in " ,\t\n":
            pos += 1
        if pos >= len(text):
            break
        match = _TERM.match(text, pos)
        if not match:
            raise HubRenderError(f"date: invalid duration {text!r}")
        amount = int(match.group(2)) * (-1 if match.group(1) == "-" else 1) * sign
        terms.append((_UNITS[match.group(3).lower()], amount))
        pos = match.end()
    if not terms:
        raise HubRenderError(f"date: invalid duration {text!r}")
    return terms


def advance(moment: datetime, terms: list[tuple[str, int]]) -> datetime:
    """Apply duration terms left to right: calendar steps in local time, clock steps as fixed durations."""
    tz = moment.tzinfo
    for unit, amount in terms:
        if unit in ("hours", "minutes", "seconds"):
            moment = (moment.astimezone(UTC) + timedelta(**{unit: amount})).astimezone(tz)
        else:
            local = moment.replace(tzinfo=None) + relativedelta(**{unit: amount})
            moment = local.replace(tzinfo=tz)
    return moment


def to_moment(value: Any, tz: ZoneInfo, now: datetime) -> datetime | None:
    """Read a ``date`` input as an aware datetime in ``tz``; None when it is not a date (§4.7 item 1)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=tz) if value.tzinfo is None else value
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    text = to_s(value)
    if not text.strip():
        return None
    if _UNIX.match(text):
        try:
            return datetime.fromtimestamp(int(text), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    match = _NOW.match(text)
    if match:
        moment = now.astimezone(tz)
        if match.group(2):
            moment = advance(moment, parse_duration(match.group(3), -1 if match.group(2) == "-" else 1))
        return moment
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        parsed = date_parser.parse(text, default=today)
    except (ValueError, OverflowError, date_parser.ParserError):
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _week_start(option: Any) -> int:
    if option is True:
        return 0
    name = to_s(option).strip().lower()
    if name not in _WEEKDAYS:
        raise HubRenderError(f"date: unknown weekday {to_s(option)!r}")
    return _WEEKDAYS.index(name)


def _calendar(moment: datetime, options: dict) -> datetime:
    tz = moment.tzinfo
    local = moment.replace(tzinfo=None)
    end = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    groups = [
        ("beginning_of_year", "end_of_year"),
        ("beginning_of_quarter", "end_of_quarter"),
        ("beginning_of_month", "end_of_month"),
        ("beginning_of_week", "end_of_week"),
        ("beginning_of_day", "middle_of_day", "end_of_day"),
    ]
    for group in groups:
        chosen = [name for name in group if options.get(name) not in (None, False)]
        if len(chosen) > 1:
            raise HubRenderError(f"date: options {', '.join(chosen)} cannot be combined")
        if not chosen:
            continue
        name = chosen[0]
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        end = local.replace(hour=23, minute=59, second=59, microsecond=999999)
        if name == "beginning_of_year":
            local = midnight.replace(month=1, day=1)
        elif name == "end_of_year":
            local = end.replace(month=12, day=31)
        elif name in ("beginning_of_quarter", "end_of_quarter"):
            first_month = 3 * ((local.month - 1) // 3) + 1
            start = midnight.replace(month=first_month, day=1)
            local = (
                start
                if name == "beginning_of_quarter"
                else start + relativedelta(months=3) - timedelta(microseconds=1)
            )
        elif name == "beginning_of_month":
            local = midnight.replace(day=1)
        elif name == "end_of_month":
            local = midnight.replace(day=1) + relativedelta(months=1) - timedelta(microseconds=1)
        elif name in ("beginning_of_week", "end_of_week"):
            first_day = _week_start(options[name])
            start = midnight - timedelta(days=(local.weekday() - first_day) % 7)
            local = start if name == "beginning_of_week" else start + timedelta(days=7, microseconds=-1)
        elif name == "beginning_of_day":
            local = midnight
        elif name == "middle_of_day":
            local = midnight.replace(hour=12)
        else:
            local = end
    return local.replace(tzinfo=tz)


@with_context
def date_filter(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
    """``date`` (§4.7): format a date with Ruby strftime in the store timezone (or ``tz``).

    Without a format the result is ISO 8601 (``Z`` for UTC). Inputs that are not dates come
    back unchanged. Options: ``tz``, calendar options, ``advance``.
    """
    positional, options = split_options(args, kwargs)
    fmt = positional[0] if positional else options.get("format")
    settings = settings_of(context)
    store = zone(settings.timezone)
    target = zone(options["tz"]) if options.get("tz") not in (None, "") else store
    moment = to_moment(value, store, settings.now)
    if moment is None:
        return value
    moment = moment.astimezone(target)
    moment = _calendar(moment, options)
    if options.get("advance") not in (None, ""):
        moment = advance(moment, parse_duration(to_s(options["advance"])))
    if fmt is None or to_s(fmt) == "":
        return iso8601(moment)
    return strftime(moment, to_s(fmt))


def iso8601(moment: datetime) -> str:
    """``%Y-%m-%dT%H:%M:%S%:z`` with ``Z`` when the zone is UTC."""
    key = getattr(moment.tzinfo, "key", None)
    if moment.tzinfo is UTC or key in _UTC_NAMES:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return strftime(moment, "%Y-%m-%dT%H:%M:%S%:z")


@with_context
def parse_date(value: Any, fmt: Any = None, context: Any = None) -> str | None:
    """``parse_date`` (§4.7): parse with a strptime format in the store timezone; ISO 8601 or nil."""
    settings = settings_of(context)
    store = zone(settings.timezone)
    text = to_s(value)
    try:
        parsed = datetime.strptime(text, _python_strptime(to_s(fmt)))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=store)
    return iso8601(parsed.astimezone(store))


def _python_strptime(fmt: str) -> str:
    return fmt.replace("%-", "%").replace("%F", "%Y-%m-%d").replace("%T", "%H:%M:%S").replace("%L", "%f")


# -- Ruby strftime ------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"%([-_0^#]*)(\d*)(:{0,3})([a-zA-Z%+])")
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _offset(moment: datetime, colons: int) -> str:
    delta = moment.utcoffset() or timedelta(0)
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if colons == 1:
        return f"{sign}{hours:02d}:{minutes:02d}"
    if colons == 2:
        return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{hours:02d}{minutes:02d}"


def _field(moment: datetime, conv: str, colons: int, width: str) -> tuple[str, str, int]:
    """(text, default padding char, default width) for one conversion."""
    m = moment
    if conv == "Y":
        return str(m.year), "0", 4 if m.year >= 0 else 5
    if conv == "C":
        return str(m.year // 100), "0", 2
    if conv == "y":
        return str(m.year % 100), "0", 2
    if conv == "m":
        return str(m.month), "0", 2
    if conv == "B":
        return _MONTH_NAMES[m.month - 1], " ", 0
    if conv in ("b", "h"):
        return _MONTH_NAMES[m.month - 1][:3], " ", 0
    if conv == "d":
        return str(m.day), "0", 2
    if conv == "e":
        return str(m.day), " ", 2
    if conv == "j":
        return str(m.timetuple().tm_yday), "0", 3
    if conv == "H":
        return str(m.hour), "0", 2
    if conv == "k":
        return str(m.hour), " ", 2
    if conv == "I":
        return str((m.hour % 12) or 12), "0", 2
    if conv == "l":
        return str((m.hour % 12) or 12), " ", 2
    if conv == "M":
        return str(m.minute), "0", 2
    if conv == "S":
        return str(m.second), "0", 2
    if conv == "L":
        digits = int(width) if width else 3
        return f"{m.microsecond:06d}000"[:digits].ljust(digits, "0"), "", 0
    if conv == "N":
        digits = int(width) if width else 9
        return f"{m.microsecond:06d}000"[:digits].ljust(digits, "0"), "", 0
    if conv == "p":
        return ("PM" if m.hour >= 12 else "AM"), " ", 0
    if conv == "P":
        return ("pm" if m.hour >= 12 else "am"), " ", 0
    if conv == "A":
        return _DAY_NAMES[m.weekday()], " ", 0
    if conv == "a":
        return _DAY_NAMES[m.weekday()][:3], " ", 0
    if conv == "u":
        return str(m.isoweekday()), "0", 1
    if conv == "w":
        return str(m.isoweekday() % 7), "0", 1
    if conv == "U":
        return m.strftime("%U"), "0", 2
    if conv == "W":
        return m.strftime("%W"), "0", 2
    if conv == "G":
        return str(m.isocalendar()[0]), "0", 4
    if conv == "g":
        return str(m.isocalendar()[0] % 100), "0", 2
    if conv == "V":
        return str(m.isocalendar()[1]), "0", 2
    if conv == "Z":
        return (m.tzname() or ""), " ", 0
    if conv == "z":
        return _offset(m, colons), "", 0
    if conv == "s":
        return str(int(m.timestamp())), "0", 1
    if conv == "n":
        return "\n", "", 0
    if conv == "t":
        return "\t", "", 0
    if conv == "%":
        return "%", "", 0
    if conv == "F":
        return strftime(m, "%Y-%m-%d"), " ", 0
    if conv == "T" or conv == "X":
        return strftime(m, "%H:%M:%S"), " ", 0
    if conv == "D" or conv == "x":
        return strftime(m, "%m/%d/%y"), " ", 0
    if conv == "R":
        return strftime(m, "%H:%M"), " ", 0
    if conv == "r":
        return strftime(m, "%I:%M:%S %p"), " ", 0
    if conv == "c":
        return strftime(m, "%a %b %e %H:%M:%S %Y"), " ", 0
    if conv == "v":
        return strftime(m, "%e-%^b-%Y"), " ", 0
    if conv == "+":
        return strftime(m, "%a %b %e %H:%M:%S %Z %Y"), " ", 0
    return None, "", 0


def strftime(moment: datetime, fmt: str) -> str:
    """Ruby ``Time#strftime``: flags ``-`` (no padding), ``_`` (spaces), ``0`` (zeros),
    ``^`` (upcase), ``#`` (swap case), widths, ``%:z``/``%::z``, ``%L``/``%N``, ``%s``."""

    def render(match: re.Match) -> str:
        flags, width, colons, conv = match.groups()
        text, pad, default_width = _field(moment, conv, len(colons), width)
        if text is None:
            return match.group(0)
        if conv in ("L", "N"):
            width = ""
        if "^" in flags:
            text = text.upper()
        if "#" in flags:
            text = text.swapcase() if not text.isupper() else text.lower()
        if "-" in flags:
            return text
        if "_" in flags:
            pad = " "
        elif "0" in flags:
            pad = "0"
        size = int(width) if width else default_width
        if pad and len(text) < size:
            if text.startswith("-") and pad == "0":
                return "-" + text[1:].rjust(size - 1, "0")
            return text.rjust(size, pad)
        if not pad and width and len(text) < size:
            return text.rjust(size, " ")
        return text

    return _DIRECTIVE.sub(render, fmt)


FILTERS = {"date": date_filter, "parse_date": parse_date}
