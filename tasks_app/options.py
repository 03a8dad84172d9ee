"""Task options: key flags, discovery, coercion and Liquid inside values (spec/platform.md §7.3).

An option key is ``<name>__<flags>``; the flags give the type, the element type of
containers, modifiers, choice lists, range bounds and picker resources (§7.3.2).
Stored values are coerced on save and import (§7.3.4); at run time text-bearing
values are rendered as Liquid before the script (§7.3.6).
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hub.jsonkind import json_kind_with_article as _kind

KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
DISCOVERY_RE = re.compile(r"options\.([a-z0-9_]+)")

CHOICE_TYPES = ("select", "choice", "multiselect")
MODIFIERS = frozenset({"required", "userform", "futureonly"})
SCALAR_TYPES = ("boolean", "number", "date", "datetime", "time", "color", "code", "multiline", "email")
ELEMENT_TYPES = ("number", "email", "multiline", "code")
TEXT_TYPES = frozenset({"text", "multiline", "code", "email"})
PICKER_RESOURCES = frozenset({"product", "variant", "collection"})
PICKER_GID_TYPES = {"product": "Product", "variant": "ProductVariant", "collection": "Collection"}
OTHER_WORDS = frozenset({"range", "keyval", "array", "global", "secret", "picker"})

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
TIME_RE = re.compile(r"\d{2}:\d{2}")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
INT_RE = re.compile(r"[+-]?\d+")
FLOAT_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
GID_RE = re.compile(r"gid://shopify/[A-Za-z]+/\S+")

FILL_EMAIL = "customer@example.com"


class OptionKeyError(ValueError):
    """An option key that cannot be used (bad characters, range without bounds, unknown
    picker resource, contradictory scalar flags). The message starts with the key."""


class OptionValueError(ValueError):
    """A stored value that cannot be coerced to its option's type (§7.3.4).

    ``key`` is the option key; ``path`` locates the bad part inside the value
    (``""`` for the value itself, ``"[2]"`` for an array element, ``".k"`` for a keyval value).
    """

    def __init__(self, key: str, message: str, path: str = ""):
        super().__init__(f"{key}{path}: {message}")
        self.key = key
        self.path = path
        self.reason = message


@dataclass(frozen=True)
class OptionSpec:
    """One option key, parsed (§7.3.2).

    ``type`` is one of ``text``, ``multiline``, ``code``, ``email``, ``boolean``, ``number``,
    ``date``, ``datetime``, ``time``, ``color``, ``keyval``, ``array``, ``select``, ``choice``,
    ``multiselect``, ``range``, ``picker``, ``global``, ``secret``. ``element_type`` types
    keyval values and array elements (``text``, ``number``, ``email``, ``multiline``, ``code``);
    ``None`` for other types. ``range`` is ``(min, max, step)``; ``picker`` the resource
    (``product``...) and ``multiple`` whether a picker holds a list. ``warnings`` name
    ignored unknown words.
    """

    key: str
    name: str
    type: str = "text"
    element_type: str | None = None
    modifiers: frozenset[str] = frozenset()
    choices: tuple[str, ...] = ()
    range: tuple[int, int, int] | None = None
    picker: str | None = None
    multiple: bool = False
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def required(self) -> bool:
        """Whether the value must be non-empty; ignored on booleans (§7.3.5 decision)."""
        return "required" in self.modifiers and self.type != "boolean"

    @property
    def label(self) -> str:
        """Form label: the name with ``_`` as spaces, first letter upper-cased (§7.3.1)."""
        text = self.name.replace("_", " ").strip()
        return text[:1].upper() + text[1:]


def parse_option_key(key: str) -> OptionSpec:
    """Parse an option key into an ``OptionSpec`` (the reference parser of §7.3.2).

    Raises ``OptionKeyError`` for a key outside ``^[a-z][a-z0-9_]*$``, a range without
    ``min``/``max``, a picker resource other than product/variant/collection, and
    contradictory scalar words (``boolean_number``). Unknown words become warnings.
    """
    if not KEY_RE.fullmatch(key or ""):
        raise OptionKeyError(f"{key}: option keys are lower-case letters, digits and underscores")
    name, _, rest = key.partition("__")
    flags = _read_flags([part for part in re.split(r"_+", rest) if part])
    known = set(CHOICE_TYPES) | set(SCALAR_TYPES) | OTHER_WORDS
    return OptionSpec(
        key=key,
        name=name,
        modifiers=frozenset(flags.modifiers),
        warnings=tuple(f"{key}: unknown flag {word!r} ignored" for word in flags.words if word not in known),
        **_resolve(key, flags),
    )


@dataclass(slots=True)
class _Flags:
    """The flags of an option key, read but not yet resolved to a type."""

    words: list[str] = field(default_factory=list)
    modifiers: set[str] = field(default_factory=set)
    choices: tuple[str, ...] = ()
    bounds: dict[str, int] = field(default_factory=dict)
    picker: str | None = None

    @property
    def scalars(self) -> list[str]:
        """The scalar type words, once each; ``code`` wins over ``multiline``."""
        scalars = [w for w in dict.fromkeys(self.words) if w in SCALAR_TYPES]
        if "code" in scalars and "multiline" in scalars:
            scalars.remove("multiline")  # a code textarea either way
        return scalars


def _read_flags(parts: list[str]) -> _Flags:
    flags = _Flags()
    i = 0
    while i < len(parts):
        part = parts[i]
        if part in CHOICE_TYPES:
            flags.words.append(part)
            flags.choices = _choices(parts[i + 1 :], flags.modifiers)
            break
        match = re.fullmatch(r"(min|max|step)(\d+)", part)
        if match:
            flags.bounds[match[1]] = int(match[2])
        elif part in MODIFIERS:
            flags.modifiers.add(part)
        elif part == "picker" and i + 1 < len(parts):
            flags.picker = parts[i + 1]
            i += 1
        else:
            flags.words.append(part)
        i += 1
    return flags


def _choices(body: list[str], modifiers: set[str]) -> tuple[str, ...]:
    """The choice list after a choice word (``o1_red_o2_dark_blue``); trailing modifiers go to
    ``modifiers``."""
    body = list(body)
    while body and body[-1] in MODIFIERS:
        modifiers.add(body.pop())
    pairs: list[tuple[int, list[str]]] = []
    for part in body:
        if re.fullmatch(r"o\d+", part):
            pairs.append((int(part[1:]), []))
        elif pairs:
            pairs[-1][1].append(part)
    return tuple("_".join(value) for _, value in sorted(pairs, key=lambda pair: pair[0]))


def _resolve(key: str, flags: _Flags) -> dict[str, Any]:
    """The type fields of an ``OptionSpec`` from the words, first match wins (§7.3.2)."""
    words = flags.words
    choice = _first_of(CHOICE_TYPES, words)
    if choice is not None:
        return {"type": choice, "choices": flags.choices}
    if "range" in words:
        return {"type": "range", "range": _range(key, flags.bounds)}
    if flags.picker is not None:
        if flags.picker not in PICKER_RESOURCES:
            raise OptionKeyError(f"{key}: pickers take product, variant or collection, not {flags.picker!r}")
        return {"type": "picker", "picker": flags.picker, "multiple": "array" in words}
    scalars = flags.scalars
    container = _first_of(("keyval", "array"), words)
    if container is not None:
        return {"type": container, "element_type": _element_type(key, scalars)}
    if len(scalars) > 1:
        raise OptionKeyError(f"{key}: contradictory flags {'/'.join(scalars)}")
    if scalars:
        return {"type": scalars[0]}
    for word in ("global", "secret"):
        if word in words:
            if word == "secret" and "userform" in flags.modifiers:
                raise OptionKeyError(f"{key}: secret options cannot be userform fields")
            return {"type": word}
    return {"type": "text"}


def _first_of(candidates: tuple[str, ...], words: list[str]) -> str | None:
    for word in candidates:
        if word in words:
            return word
    return None


def _range(key: str, bounds: dict[str, int]) -> tuple[int, int, int]:
    if "min" not in bounds or "max" not in bounds:
        raise OptionKeyError(f"{key}: a range needs min and max (range_min0_max10)")
    return bounds["min"], bounds["max"], bounds.get("step", 1)


def _element_type(key: str, scalars: list[str]) -> str:
    """The element type of a keyval or array option: at most one element word, nothing else."""
    elements = [w for w in scalars if w in ELEMENT_TYPES]
    others = [w for w in scalars if w not in ELEMENT_TYPES]
    if len(elements) > 1 or others:
        raise OptionKeyError(f"{key}: contradictory flags {'/'.join(scalars)}")
    return elements[0] if elements else "text"


def discover_options(
    script: str | None,
    subscriptions_template: str | None = None,
    online_store_javascript: str | None = None,
    order_status_javascript: str | None = None,
) -> list[str]:
    """Option keys the texts reference, in order of first occurrence (§7.3.1).

    A plain-text scan for ``options.<key>`` over the script, then the subscriptions
    template, then both JavaScript texts; comments count, bracket lookups do not.
    Matches that are not valid keys (``options.1x``) are skipped.
    """
    keys: dict[str, None] = {}
    for text in (script, subscriptions_template, online_store_javascript, order_status_javascript):
        for key in DISCOVERY_RE.findall(text or ""):
            if KEY_RE.fullmatch(key):
                keys.setdefault(key, None)
    return list(keys)


def check_option_names(keys: Iterable[str]) -> None:
    """Raise ``OptionKeyError`` when two keys share a name with different flags (§7.3.1 decision)."""
    seen: dict[str, str] = {}
    for key in keys:
        name = key.partition("__")[0]
        if name in seen and seen[name] != key:
            raise OptionKeyError(f"{key}: same option name as {seen[name]} with different flags")
        seen.setdefault(name, key)


# -- coercion (§7.3.4) -----------------------------------------------------------------------


def coerce_option_value(key: str, value: Any) -> Any:
    """Coerce a stored value to the type of option ``key`` (§7.3.4); ``None`` means unset.

    Numeric strings become numbers (``""`` → ``None``), booleans accept ``"true"``/``"false"``,
    keyval values and array elements follow the element type, text has CRLF made LF, dates,
    times, colours, choices, range bounds and picker GIDs are checked. Raises
    ``OptionValueError`` (a ``ValueError`` naming the key) when the value does not fit,
    and ``OptionKeyError`` when the key itself is unusable.
    """
    spec = parse_option_key(key)
    return _coerce(spec, value)


def _coerce(spec: OptionSpec, value: Any) -> Any:
    if value is None:
        return None
    return _COERCERS.get(spec.type, _coerce_pattern)(spec, value)


def _coerce_range(spec: OptionSpec, value: Any) -> int | float | None:
    number = _coerce_number(spec, value, "")
    low, high, _step = spec.range
    if number is not None and not low <= number <= high:
        raise OptionValueError(spec.key, f"{number} is outside {low}..{high}")
    return number


def _coerce_choice(spec: OptionSpec, value: Any) -> str | None:
    text = _coerce_text(spec, value, "")
    if text == "":
        return None
    if text not in spec.choices:
        raise OptionValueError(spec.key, f"{text!r} is not one of {', '.join(spec.choices)}")
    return text


def _coerce_multiselect(spec: OptionSpec, value: Any) -> list:
    items = _as_list(spec, value)
    for index, item in enumerate(items):
        if item not in spec.choices:
            raise OptionValueError(
                spec.key, f"{item!r} is not one of {', '.join(spec.choices)}", f"[{index}]"
            )
    return items


def _coerce_keyval(spec: OptionSpec, value: Any) -> dict:
    if not isinstance(value, dict):
        raise OptionValueError(spec.key, f"expected an object of key → value, got {_kind(value)}")
    return {
        str(k): _coerce_element(spec, v, f".{k}" if re.fullmatch(r"\w+", str(k)) else f"[{k!r}]")
        for k, v in value.items()
    }


def _coerce_array(spec: OptionSpec, value: Any) -> list:
    items = _as_list(spec, value)
    return [_coerce_element(spec, item, f"[{index}]") for index, item in enumerate(items)]


def _coerce_picker(spec: OptionSpec, value: Any) -> str | list | None:
    if spec.multiple:
        items = _as_list(spec, value)
        return [_coerce_gid(spec, item, f"[{index}]") for index, item in enumerate(items)]
    return _coerce_gid(spec, value, "")


def _coerce_text(spec: OptionSpec, value: Any, path: str) -> str:
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise OptionValueError(spec.key, f"expected text, got {_kind(value)}", path)


def _coerce_boolean(spec: OptionSpec, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
        if text == "":
            return None
    raise OptionValueError(spec.key, f"expected true or false, got {_kind(value)}")


def _coerce_number(spec: OptionSpec, value: Any, path: str) -> int | float | None:
    if isinstance(value, bool):
        raise OptionValueError(spec.key, "expected a number, got a boolean", path)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if INT_RE.fullmatch(text):
            return int(text)
        if FLOAT_RE.fullmatch(text):
            return float(text)
        raise OptionValueError(spec.key, f"{value!r} is not a number", path)
    raise OptionValueError(spec.key, f"expected a number, got {_kind(value)}", path)


def _coerce_element(spec: OptionSpec, value: Any, path: str) -> Any:
    if value is None:
        return None
    if spec.element_type == "number":
        return _coerce_number(spec, value, path)
    return _coerce_text(spec, value, path)


def _as_list(spec: OptionSpec, value: Any) -> list:
    if isinstance(value, list):
        return list(value)
    raise OptionValueError(spec.key, f"expected an array, got {_kind(value)}")


def _coerce_gid(spec: OptionSpec, value: Any, path: str) -> str | None:
    text = _coerce_text(spec, value, path).strip()
    if text == "":
        return None
    if not GID_RE.fullmatch(text):
        raise OptionValueError(spec.key, f"{text!r} is not a Shopify GID (gid://shopify/...)", path)
    return text


def _coerce_pattern(spec: OptionSpec, value: Any) -> str | None:
    patterns = {
        "date": (DATE_RE, "YYYY-MM-DD"),
        "datetime": (DATETIME_RE, "YYYY-MM-DDTHH:MM"),
        "time": (TIME_RE, "HH:MM"),
        "color": (COLOR_RE, "#RRGGBB"),
    }
    pattern, shape = patterns[spec.type]
    text = _coerce_text(spec, value, "").strip()
    if text == "":
        return None
    if not pattern.fullmatch(text):
        raise OptionValueError(spec.key, f"{text!r} is not a {spec.type} ({shape})")
    return text


def _coerce_plain_text(spec: OptionSpec, value: Any) -> str:
    return _coerce_text(spec, value, "")


def _coerce_plain_number(spec: OptionSpec, value: Any) -> int | float | None:
    return _coerce_number(spec, value, "")


# Option type → its coercion; date, datetime, time and color (the rest) are checked by pattern.
_COERCERS: dict[str, Callable[[OptionSpec, Any], Any]] = {
    **dict.fromkeys([*TEXT_TYPES, "global", "secret"], _coerce_plain_text),
    "boolean": _coerce_boolean,
    "number": _coerce_plain_number,
    "range": _coerce_range,
    "select": _coerce_choice,
    "choice": _coerce_choice,
    "multiselect": _coerce_multiselect,
    "keyval": _coerce_keyval,
    "array": _coerce_array,
    "picker": _coerce_picker,
}


def coerce_options(values: Mapping[str, Any]) -> dict:
    """Coerce every value of ``values`` (keyed by option key); see ``coerce_option_value``."""
    return {key: coerce_option_value(key, value) for key, value in values.items()}


# -- run time (§7.3.4, §7.3.6) ------------------------------------------------------------------


def runtime_options(
    stored: dict,
    render: Callable[[str], str],
    *,
    global_values: Mapping[str, Any] | None = None,
    secret_references: Mapping[str, str] | None = None,
) -> dict:
    """The ``options`` hash a run sees.

    Stored values are coerced by flag (leniently: a value that does not coerce reads
    as nil for numbers and as stored otherwise), then the string leaves of text,
    multiline, code and email options, and of text-typed keyval values and array
    elements, are rendered with ``render`` (§7.3.6). Keys, choices, numbers, dates,
    colours, GIDs, globals and secrets are never rendered. Unset booleans read
    ``false``; numbers are a number or nil. ``render`` errors propagate (they fail the run).

    A ``global`` option stores a key name and reads ``global_values[name]`` (the Liquid
    ``globals``); a ``secret`` option reads ``secret_references[name]`` (the Liquid
    ``secrets``: a reference); a deleted entry reads nil (§5.4). Without the mapping the
    stored key name is returned as is.
    """
    lookups = {"global": global_values, "secret": secret_references}
    result = {}
    for key, value in stored.items():
        try:
            spec = parse_option_key(key)
        except OptionKeyError:
            result[key] = render(value) if isinstance(value, str) else value
            continue
        if lookups.get(spec.type) is not None:
            result[key] = lookups[spec.type].get(value) if isinstance(value, str) else None
            continue
        result[key] = _runtime_value(spec, value, render)
    return result


def _runtime_value(spec: OptionSpec, value: Any, render: Callable[[str], str]) -> Any:
    try:
        value = _coerce(spec, value)
    except OptionValueError:
        if spec.type in ("number", "range"):
            return None
    if spec.type == "boolean":
        return bool(value) if isinstance(value, bool) else False
    if spec.type in TEXT_TYPES:
        return render(value) if isinstance(value, str) else value
    if spec.type in ("keyval", "array") and spec.element_type != "number":
        if isinstance(value, dict):
            return {k: render(v) if isinstance(v, str) else v for k, v in value.items()}
        if isinstance(value, list):
            return [render(v) if isinstance(v, str) else v for v in value]
    return value


# -- required options (§7.3.5) ------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    """Empty per §7.3.5: nil, ``""``, whitespace-only text, ``[]``, ``{}``."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, (list, dict)):
        return len(value) == 0
    return False


def missing_required(values: Mapping[str, Any]) -> list[str]:
    """Keys of ``values`` whose option is required and whose value is empty, in order.

    Booleans are never missing (§7.3.5 decision); unparseable keys are skipped.
    """
    missing = []
    for key, value in values.items():
        try:
            spec = parse_option_key(key)
        except OptionKeyError:
            continue
        if spec.required and is_empty(value):
            missing.append(key)
    return missing


# Placeholder text by what an option's name says it holds, first match wins: library scripts
# check these shapes themselves ("namespace.key", a metafield type they know).
FILL_BY_NAME = (
    (re.compile(r"namespace_and_key|(^|_)metafields?$"), "custom.example"),
    (re.compile(r"metafield_type"), "single_line_text_field"),
    (re.compile(r"namespace"), "custom"),
    (re.compile(r"(^|_)email(_|$)"), FILL_EMAIL),
    (re.compile(r"(^|_)url$"), "https://example.com"),
)
# Keyval keys and numbers double as Shopify ids in stub JSON (``"id": {{ map.first.first }}``).
FILL_ID = "1234567890"


def fill_value(spec: OptionSpec, today: date | None = None) -> Any:
    """A placeholder value for an empty option (used by previews of library tasks).

    email → ``"customer@example.com"``, number → ``1``, boolean → ``true``, array →
    ``["example"]`` (``[1]`` for numbers, ``["customer@example.com"]`` for emails),
    keyval → ``{"1234567890": "example"}`` (a key that also reads as a Shopify id; the value
    typed like array elements), choice/select → first choice, multiselect → ``[first
    choice]``, date → tomorrow, datetime → tomorrow ``T00:00``, time → ``"00:00"``, range →
    its minimum, color → ``"#000000"``, picker → ``"gid://shopify/<Resource>/1"`` (a list of
    one for picker arrays). Other text follows ``FILL_BY_NAME`` (``metafield_namespace_and_key``
    → ``"custom.example"``, ``metafield_type`` → ``"single_line_text_field"``, ``namespace`` →
    ``"custom"``, ``..._email_...`` → the example email, ``..._url`` →
    ``"https://example.com"``), else ``"example"``.
    """
    fill = _FILLS.get(spec.type)
    if fill is not None:
        return fill(spec, (today or date.today()) + timedelta(days=1))
    for pattern, text in FILL_BY_NAME:
        if pattern.search(spec.name):
            return text
    return "example"


def _fill_element(spec: OptionSpec) -> Any:
    return {"number": 1, "email": FILL_EMAIL}.get(spec.element_type or "", "example")


def _fill_picker(spec: OptionSpec) -> str | list[str]:
    gid = f"gid://shopify/{PICKER_GID_TYPES[spec.picker]}/1"
    return [gid] if spec.multiple else gid


# Option type → its placeholder, from the spec and tomorrow's date; other types are text.
_FILLS: dict[str, Callable[[OptionSpec, date], Any]] = {
    "email": lambda spec, tomorrow: FILL_EMAIL,
    "number": lambda spec, tomorrow: 1,
    "boolean": lambda spec, tomorrow: True,
    "array": lambda spec, tomorrow: [_fill_element(spec)],
    "keyval": lambda spec, tomorrow: {FILL_ID: _fill_element(spec)},
    "choice": lambda spec, tomorrow: spec.choices[0] if spec.choices else "example",
    "select": lambda spec, tomorrow: spec.choices[0] if spec.choices else "example",
    "multiselect": lambda spec, tomorrow: list(spec.choices[:1]),
    "date": lambda spec, tomorrow: tomorrow.isoformat(),
    "datetime": lambda spec, tomorrow: f"{tomorrow.isoformat()}T00:00",
    "time": lambda spec, tomorrow: "00:00",
    "range": lambda spec, tomorrow: spec.range[0],
    "color": lambda spec, tomorrow: "#000000",
    "picker": lambda spec, tomorrow: _fill_picker(spec),
}


def fill_required(values: Mapping[str, Any], today: date | None = None) -> dict:
    """A copy of ``values`` with every empty required option set by ``fill_value``.

    Unlike ``missing_required``, a ``required`` boolean left unset is filled too (with true).
    ``today`` (default: the current date) anchors the date fills.
    """
    filled = dict(values)
    for key, value in values.items():
        try:
            spec = parse_option_key(key)
        except OptionKeyError:
            continue
        if "required" in spec.modifiers and is_empty(value):
            filled[key] = fill_value(spec, today)
    return filled


def options_for_texts(
    texts: Mapping[str, str | None], stored: Mapping[str, Any] | None
) -> tuple[dict, list[str]]:
    """Discovered options with their coerced values, and the stored keys no text references.

    ``texts`` holds ``script``, ``subscriptions_template``, ``online_store_javascript`` and
    ``order_status_javascript``. Raises ``OptionKeyError``/``OptionValueError``.
    """
    stored = dict(stored or {})
    keys = discover_options(
        texts.get("script"),
        texts.get("subscriptions_template"),
        texts.get("online_store_javascript"),
        texts.get("order_status_javascript"),
    )
    check_option_names(keys)
    values = {key: coerce_option_value(key, stored.get(key)) for key in keys}
    dropped = [key for key in stored if key not in values]
    return values, dropped


__all__ = [
    "OptionKeyError",
    "OptionSpec",
    "OptionValueError",
    "check_option_names",
    "coerce_option_value",
    "coerce_options",
    "discover_options",
    "fill_required",
    "fill_value",
    "is_empty",
    "missing_required",
    "options_for_texts",
    "parse_option_key",
    "runtime_options",
]
