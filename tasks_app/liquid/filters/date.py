"""``date`` and ``parse_date`` (spec/liquid.md §4.7): store-timezone parsing, ``"now"``
arithmetic, calendar options, ``advance`` and Ruby ``strftime``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta
from liquid.filter import with_context

from ..limits import check_build
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
        return _zone(to_s(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HubRenderError(f"date: unknown time zone {to_s(name)!r}") from exc


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    # ZoneInfo's own cache is weak and keyed after argument checks; every date call asks.
    return ZoneInfo(name)


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
            # A wall time inside a DST gap moves forward by the gap, as in Rails.
            moment = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
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
    parsed = _parse_iso(text)
    if parsed is not None:
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed
    today = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        parsed = date_parser.parse(text, default=today)
    except (ValueError, OverflowError, date_parser.ParserError):
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


# The ISO 8601 forms Shopify and the library use, read without dateutil (which gives the same
# datetimes for them, 20× slower): a date, optionally a time (seconds and fraction optional),
# optionally Z or a numeric offset.
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(Z|[+-]\d\d:?\d\d)?)?",
    re.ASCII,
)


def _parse_iso(text: str) -> datetime | None:
    """``text`` as an ISO 8601 date-time (naive without an offset), or None when it is not one
    of the simple forms (dateutil then decides)."""
    found = _ISO.fullmatch(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    if year < "1000":
        return None  # dateutil's reading of short years is its own
    try:
        tz = None
        if offset == "Z":
            tz = UTC
        elif offset is not None:
            minutes = int(offset[1:3]) * 60 + int(offset[-2:])
            tz = timezone(timedelta(minutes=-minutes if offset[0] == "-" else minutes))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tz,
        )
    except ValueError:
        return None


def _week_start(option: Any) -> int:
    if option is True:
        return 0
    name = to_s(option).strip().lower()
    if name not in _WEEKDAYS:
        raise HubRenderError(f"date: unknown weekday {to_s(option)!r}")
    return _WEEKDAYS.index(name)


_CALENDAR_GROUPS = (
    ("beginning_of_year", "end_of_year"),
    ("beginning_of_quarter", "end_of_quarter"),
    ("beginning_of_month", "end_of_month"),
    ("beginning_of_week", "end_of_week"),
    ("beginning_of_day", "middle_of_day", "end_of_day"),
)
_CALENDAR_OPTIONS = frozenset(name for group in _CALENDAR_GROUPS for name in group)


def _calendar(moment: datetime, options: dict) -> datetime:
    tz = moment.tzinfo
    local = moment.replace(tzinfo=None)
    end = local.replace(hour=23, minute=59, second=59, microsecond=999999)
    for group in _CALENDAR_GROUPS:
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
    return local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)


@with_context
def date_filter(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> Any:
    """``date`` (§4.7): format a date with Ruby strftime in the store timezone (or ``tz``).

    Without a format the result is ISO 8601 (``Z`` for UTC). Inputs that are not dates come
    back unchanged. Options: ``tz``, calendar options, ``advance``.
    """
    if isinstance(value, (list, tuple, range, Mapping)):
        return value  # Ruby: an array, range or hash is no date, and comes back as it is
    positional, options = split_options(args, kwargs)
    fmt = positional[0] if positional else options.get("format")
    settings = settings_of(context)
    store = zone(settings.timezone)
    target = zone(options["tz"]) if options.get("tz") not in (None, "") else store
    moment = to_moment(value, store, settings.now)
    if moment is None:
        return value
    moment = moment.astimezone(target)
    if options and not _CALENDAR_OPTIONS.isdisjoint(options):
        moment = _calendar(moment, options)
    if options and options.get("advance") not in (None, ""):
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
    """``parse_date`` (§4.7): ``"01-01-20" | parse_date: "%m-%d-%y"`` → ISO 8601 in the store
    timezone (``2020-01-01T00:00:00+11:00``).

    Ruby ``strptime`` directives; text after the parsed part is ignored; missing parts follow
    ActiveSupport ``TimeZone#strptime``: year and month from the current date in the store
    timezone, the day 1 when a year or month was parsed (else today), the time 00:00:00.
    Without an offset (``%z``) the text is a wall-clock time in the store timezone; ``%s``
    reads Unix seconds. Anything that does not parse (and nil) → nil.
    """
    if value is None or fmt is None:
        return None
    settings = settings_of(context)
    store = zone(settings.timezone)
    parts = ruby_strptime(to_s(value), to_s(fmt))
    if not parts:
        return None
    now = settings.now.astimezone(store)
    if "seconds" in parts:
        try:
            moment = datetime.fromtimestamp(parts["seconds"], UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return iso8601(moment.astimezone(store))
    year, month = parts.get("year", now.year), parts.get("mon", now.month)
    day = parts.get("mday", 1 if ("year" in parts or "mon" in parts) else now.day)
    hour = parts.get("hour", 0)
    if "pm" in parts:
        hour = hour % 12 + (12 if parts["pm"] else 0)
    try:
        # Ruby's Time.new rolls day 31 of a 30-day month and hour 24 over to the next day.
        local = datetime(year, month, 1) + timedelta(
            days=day - 1,
            hours=hour,
            minutes=parts.get("min", 0),
            seconds=parts.get("sec", 0),
            microseconds=parts.get("usec", 0),
        )
    except (ValueError, OverflowError):
        return None
    if "offset" in parts:
        moment = local.replace(tzinfo=timezone(timedelta(seconds=parts["offset"])))
    else:
        moment = local.replace(tzinfo=store).astimezone(UTC)
    return iso8601(moment.astimezone(store))


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_STRPTIME_FIELDS = {
    "Y": r"(?P<Y>[+-]?\d{1,4})",
    "C": r"(?P<C>[+-]?\d{1,2})",
    "y": r"(?P<y>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"\s?(?P<d>\d{1,2})",
    "e": r"\s?(?P<d>\d{1,2})",
    "j": r"(?P<j>\d{1,3})",
    "H": r"\s?(?P<H>\d{1,2})",
    "k": r"\s?(?P<H>\d{1,2})",
    "I": r"\s?(?P<I>\d{1,2})",
    "l": r"\s?(?P<I>\d{1,2})",
    "M": r"(?P<M>\d{1,2})",
    "S": r"(?P<S>\d{1,2})",
    "L": r"(?P<L>\d+)",
    "N": r"(?P<L>\d+)",
    "p": r"(?P<p>[AaPp]\.?[Mm]\.?)",
    "P": r"(?P<p>[AaPp]\.?[Mm]\.?)",
    "b": r"(?P<b>[A-Za-z]{3,9})",
    "h": r"(?P<b>[A-Za-z]{3,9})",
    "B": r"(?P<b>[A-Za-z]{3,9})",
    "a": r"(?P<a>[A-Za-z]{3,9})",
    "A": r"(?P<a>[A-Za-z]{3,9})",
    "u": r"(?P<u>\d)",
    "w": r"(?P<u>\d)",
    "z": r"(?P<z>Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)",
    "Z": r"(?P<z>Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z ]*?(?=\s|$))",
    "s": r"(?P<s>-?\d+)",
    "Q": r"(?P<Q>-?\d+)",
    "n": r"\s+",
    "t": r"\s+",
    "%": "%",
}
_STRPTIME_COMPOSITES = {
    "F": "%Y-%m-%d",
    "T": "%H:%M:%S",
    "X": "%H:%M:%S",
    "R": "%H:%M",
    "r": "%I:%M:%S %p",
    "D": "%m/%d/%y",
    "x": "%m/%d/%y",
    "c": "%a %b %e %H:%M:%S %Y",
    "v": "%e-%b-%Y",
    "+": "%a %b %e %H:%M:%S %Z %Y",
}
_STRPTIME_DIRECTIVE = re.compile(r"%[-_0^#]*\d*:{0,2}([a-zA-Z%+])|(\s+)|(.)", re.DOTALL)


@lru_cache(maxsize=128)
def _strptime_regex(fmt: str) -> re.Pattern | None:
    for key, expansion in _STRPTIME_COMPOSITES.items():
        fmt = re.sub(r"%[-_0^#]*" + re.escape(key), expansion, fmt)
    pieces, seen = [], set()
    for match in _STRPTIME_DIRECTIVE.finditer(fmt):
        conv, space, literal = match.groups()
        if space:
            pieces.append(r"\s*")
        elif literal is not None:
            pieces.append(re.escape(literal))
        elif conv in _STRPTIME_FIELDS:
            piece = _STRPTIME_FIELDS[conv]
            name = re.search(r"\?P<(\w+)>", piece)
            if name and name.group(1) in seen:
                piece = piece.replace(f"?P<{name.group(1)}>", "?:")
            elif name:
                seen.add(name.group(1))
            pieces.append(piece)
        else:
            return None
    return re.compile("".join(pieces), re.IGNORECASE)


def _offset_seconds(text: str) -> int | None:
    if text.upper() in ("Z", "UTC", "GMT"):
        return 0
    found = re.fullmatch(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?", text)
    if not found:
        return None
    seconds = int(found.group(2)) * 3600 + int(found.group(3) or 0) * 60 + int(found.group(4) or 0)
    return -seconds if found.group(1) == "-" else seconds


def ruby_strptime(text: str, fmt: str) -> dict | None:
    """Ruby ``Date._strptime``: the parts a format reads from the start of ``text`` (``year``,
    ``mon``, ``mday``, ``hour``, ``pm``, ``min``, ``sec``, ``usec``, ``offset``, ``seconds``),
    or None when the text does not match or a part is out of range. Trailing text is ignored."""
    pattern = _strptime_regex(fmt)
    found = pattern.match(text) if pattern is not None else None
    if found is None:
        return None
    parts = _strptime_parts({key: item for key, item in found.groupdict().items() if item is not None})
    if parts is None:
        return None
    if any(not low <= parts[key] <= high for key, (low, high) in _STRPTIME_RANGES.items() if key in parts):
        return None
    return parts


def _strptime_parts(got: dict[str, str]) -> dict | None:
    """``ruby_strptime``'s parts from the matched groups; None for an unknown month or day name
    or a 12-hour clock hour outside 1..12."""
    parts: dict = {part: int(got[group]) for group, part in _STRPTIME_NUMBERS if group in got}
    if "Q" in got:
        parts["seconds"] = int(got["Q"]) / 1000
    if "Y" not in got and "y" in got:
        short = int(got["y"])
        parts["year"] = (int(got["C"]) * 100 if "C" in got else (1900 if short >= 69 else 2000)) + short
    if "b" in got:
        name = got["b"].lower()
        months = [m for m in _MONTHS if name.startswith(m) and name in _month_names(m)]
        if not months:
            return None
        parts["mon"] = _MONTHS.index(months[0]) + 1
    if "a" in got and not any(got["a"].lower().startswith(day) for day in _DAYS):
        return None
    if "I" in got:
        parts["hour"] = int(got["I"])
        if not 1 <= parts["hour"] <= 12:
            return None
    if "p" in got:
        parts["pm"] = got["p"].lower().startswith("p")
    if "L" in got:
        parts["usec"] = int((got["L"] + "000000")[:6])
    offset = _offset_seconds(got["z"]) if "z" in got else None
    if offset is not None:
        parts["offset"] = offset
    return parts


# Groups read as plain numbers → their part; %Q, %y, %b and %I override these (_strptime_parts).
_STRPTIME_NUMBERS = (
    ("s", "seconds"),
    ("Y", "year"),
    ("m", "mon"),
    ("d", "mday"),
    ("H", "hour"),
    ("M", "min"),
    ("S", "sec"),
)
_STRPTIME_RANGES = {"mon": (1, 12), "mday": (1, 31), "hour": (0, 24), "min": (0, 59), "sec": (0, 60)}


def _month_names(abbr: str) -> tuple[str, str]:
    full = _MONTH_NAMES[_MONTHS.index(abbr)].lower()
    return abbr, full


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


def _field(moment: datetime, conv: str, colons: int, width: str) -> tuple[str | None, str, int]:
    """(text, default padding char, default width) for one conversion; text None when unknown."""
    if conv == "z":
        return _offset(moment, colons), "", 0
    if conv == "L" or conv == "N":
        digits = int(width) if width else (3 if conv == "L" else 9)
        return f"{moment.microsecond:06d}000"[:digits].ljust(digits, "0"), "", 0
    field = _FIELDS.get(conv)
    if field is None:
        return None, "", 0
    text, pad, default_width = field
    return text(moment), pad, default_width


def _composite(fmt: str) -> Callable[[datetime], str]:
    return lambda m: strftime(m, fmt)


# Conversion → (its text for a moment, default padding char, default width); %z, %L and %N,
# which also read the directive's colons or width, are handled in _field.
_FIELDS: dict[str, tuple[Callable[[datetime], str], str, int]] = {
    "Y": (lambda m: str(m.year), "0", 4),
    "C": (lambda m: str(m.year // 100), "0", 2),
    "y": (lambda m: str(m.year % 100), "0", 2),
    "m": (lambda m: str(m.month), "0", 2),
    "B": (lambda m: _MONTH_NAMES[m.month - 1], " ", 0),
    "b": (lambda m: _MONTH_NAMES[m.month - 1][:3], " ", 0),
    "h": (lambda m: _MONTH_NAMES[m.month - 1][:3], " ", 0),
    "d": (lambda m: str(m.day), "0", 2),
    "e": (lambda m: str(m.day), " ", 2),
    "j": (lambda m: str(m.timetuple().tm_yday), "0", 3),
    "H": (lambda m: str(m.hour), "0", 2),
    "k": (lambda m: str(m.hour), " ", 2),
    "I": (lambda m: str((m.hour % 12) or 12), "0", 2),
    "l": (lambda m: str((m.hour % 12) or 12), " ", 2),
    "M": (lambda m: str(m.minute), "0", 2),
    "S": (lambda m: str(m.second), "0", 2),
    "p": (lambda m: "PM" if m.hour >= 12 else "AM", " ", 0),
    "P": (lambda m: "pm" if m.hour >= 12 else "am", " ", 0),
    "A": (lambda m: _DAY_NAMES[m.weekday()], " ", 0),
    "a": (lambda m: _DAY_NAMES[m.weekday()][:3], " ", 0),
    "u": (lambda m: str(m.isoweekday()), "0", 1),
    "w": (lambda m: str(m.isoweekday() % 7), "0", 1),
    "U": (lambda m: m.strftime("%U"), "0", 2),
    "W": (lambda m: m.strftime("%W"), "0", 2),
    "G": (lambda m: str(m.isocalendar()[0]), "0", 4),
    "g": (lambda m: str(m.isocalendar()[0] % 100), "0", 2),
    "V": (lambda m: str(m.isocalendar()[1]), "0", 2),
    "Z": (lambda m: m.tzname() or "", " ", 0),
    "s": (lambda m: str(int(m.timestamp())), "0", 1),
    "n": (lambda m: "\n", "", 0),
    "t": (lambda m: "\t", "", 0),
    "%": (lambda m: "%", "", 0),
    "F": (_composite("%Y-%m-%d"), " ", 0),
    "T": (_composite("%H:%M:%S"), " ", 0),
    "X": (_composite("%H:%M:%S"), " ", 0),
    "D": (_composite("%m/%d/%y"), " ", 0),
    "x": (_composite("%m/%d/%y"), " ", 0),
    "R": (_composite("%H:%M"), " ", 0),
    "r": (_composite("%I:%M:%S %p"), " ", 0),
    "c": (_composite("%a %b %e %H:%M:%S %Y"), " ", 0),
    "v": (_composite("%e-%^b-%Y"), " ", 0),
    "+": (_composite("%a %b %e %H:%M:%S %Z %Y"), " ", 0),
}


def strftime(moment: datetime, fmt: str) -> str:
    """Ruby ``Time#strftime``: flags ``-`` (no padding), ``_`` (spaces), ``0`` (zeros),
    ``^`` (upcase), ``#`` (swap case), widths, ``%:z``/``%::z``, ``%L``/``%N``, ``%s``."""
    out = []
    for part in _compile_format(fmt):
        out.append(part if type(part) is str else _directive(moment, *part))
    return "".join(out)


@lru_cache(maxsize=512)
def _compile_format(fmt: str) -> tuple:
    """``fmt`` split once into literal text and ``(directive, flags, width, colons, conv)``."""
    parts: list = []
    pos = 0
    for match in _DIRECTIVE.finditer(fmt):
        if match.start() > pos:
            parts.append(fmt[pos : match.start()])
        parts.append((match.group(0), *match.groups()))
        pos = match.end()
    if pos < len(fmt):
        parts.append(fmt[pos:])
    return tuple(parts)


def _directive(moment: datetime, directive: str, flags: str, width: str, colons: str, conv: str) -> str:
    text, pad, default_width = _field(moment, conv, len(colons), width)
    if text is None:
        return directive
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
    if size > len(text):
        check_build(size)  # "%999999999Y" would build a gigabyte (spec/liquid.md §6)
    if pad and len(text) < size:
        if text.startswith("-") and pad == "0":
            return "-" + text[1:].rjust(size - 1, "0")
        return text.rjust(size, pad)
    if not pad and width and len(text) < size:
        return text.rjust(size, " ")
    return text


FILTERS = {"date": date_filter, "parse_date": parse_date}
