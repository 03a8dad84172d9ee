"""Array filters (spec/liquid.md §4.5). Standard filters flatten their input (Ruby
``InputIterator``); Mechanic's own (``push``, ``unshift``, ``except``…) do not, and every
filter returns a new array (§8.14)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..limits import check_build
from ..values import HubRenderError, is_number, liquid_eq, ruby_class, ruby_inspect, to_s
from .base import as_list, integer_arg, split_options

_MISSING = object()


def _prop(item: Any, name: Any) -> Any:
    """Ruby's ``item[property]`` as the property filters use it (spec/liquid.md §4.5): a hash's
    value; a string's matching substring (or nil); an array's element for an integer; nil for
    values without ``[]`` (numbers with a fraction, booleans, nil). An integer, or an array asked
    for a named property, cannot be indexed so: a render error, as Ruby's TypeError becomes."""
    if isinstance(item, dict):
        try:
            value = item.get(name)
        except TypeError:  # an array or hash names no key: hash keys are strings (§2.6)
            return None
        if value is None and isinstance(name, int) and not isinstance(name, bool):
            value = item.get(str(name))
        return value
    if item is None or isinstance(item, (bool, float)):
        return None
    if isinstance(item, int) or (isinstance(item, (list, tuple)) and not _is_index(name)):
        raise HubRenderError(f"cannot select the property '{to_s(name)}'")
    if isinstance(item, str):
        return _string_index(item, name)
    if isinstance(item, (list, tuple)):
        return item[name] if -len(item) <= name < len(item) else None
    try:
        return item[name]
    except (KeyError, IndexError, TypeError):
        return None


def _is_index(name: Any) -> bool:
    return isinstance(name, int) and not isinstance(name, bool)


def _string_index(text: str, name: Any) -> str | None:
    # Ruby String#[]: a string finds itself as a substring; an integer is the character there.
    if isinstance(name, str):
        return name if name in text else None
    if _is_index(name):
        return text[name] if -len(text) <= name < len(text) else None
    return None


def _indexable(items: list) -> bool:
    """Whether every element answers Ruby's ``[]`` (numbers with a fraction, booleans and nil do not)."""
    return all(item is not None and not isinstance(item, (bool, float)) for item in items)


def _own_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def push(value: Any, *items: Any) -> list:
    """``push`` (§4.5): a new array with the values appended; nil input is []."""
    return _own_list(value) + list(items)


def unshift(value: Any, *items: Any) -> list:
    """``unshift`` (§4.5): a new array with the values prepended in argument order."""
    return list(items) + _own_list(value)


def except_(value: Any, *items: Any) -> Any:
    """``except`` (§4.5, §4.6): an array without elements equal to any argument, or a hash
    without those keys."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if not any(liquid_eq(k, item) for item in items)}
    return [e for e in _own_list(value) if not any(liquid_eq(e, item) for item in items)]


def compact(value: Any, prop: Any = _MISSING) -> Any:
    """``compact`` (§4.5, §4.6): without nil elements (or elements whose property is nil);
    a hash loses its nil values."""
    if isinstance(value, dict) and prop is _MISSING:
        return {k: v for k, v in value.items() if v is not None}
    items = as_list(value)
    if prop is _MISSING:
        return [e for e in items if e is not None]
    return [e for e in items if _prop(e, prop) is not None]


def first(value: Any) -> Any:
    """``first`` (§4.5): first element; a hash gives its first ``[key, value]``; strings nil."""
    if isinstance(value, dict):
        return [*next(iter(value.items()))] if value else None
    if isinstance(value, (list, tuple, range)):
        return value[0] if len(value) else None
    return None


def last(value: Any) -> Any:
    """``last`` (§4.5): last element; a hash gives its last ``[key, value]``; strings nil."""
    if isinstance(value, dict):
        return [*list(value.items())[-1]] if value else None
    if isinstance(value, (list, tuple, range)):
        return value[-1] if len(value) else None
    return None


def join(value: Any, separator: Any = " ") -> str:
    """``join`` (§4.5): elements as strings, nested arrays flattened."""
    if isinstance(value, str):
        return value
    glue = to_s(separator)
    pieces = [to_s(item) for item in as_list(value)]
    check_build(sum(map(len, pieces)) + len(glue) * max(len(pieces) - 1, 0))
    return glue.join(pieces)


def _is_collection(value: Any) -> bool:
    if isinstance(value, (list, tuple, range)):
        return True
    # Legacy REST collections (§5.5) iterate like arrays without being lists.
    return hasattr(value, "__iter__") and not isinstance(value, (str, bytes, Mapping))


def concat(value: Any, other: Any = None) -> list:
    """``concat`` (§4.5): a new array of the input's elements (flattened, nil → []) followed by
    the argument's. A non-array argument, nil included, is a render error."""
    if not _is_collection(other):
        raise HubRenderError(f"concat: the argument must be an array, not {ruby_class(other)}")
    check_build(_slots(value) + _slots(other))  # before a range becomes a list of millions
    return as_list(value) + list(other)


def _slots(value: Any) -> int:
    """Bytes a list of ``value``'s elements takes at least: a pointer each, and a new number per
    element of a range."""
    if isinstance(value, range):
        return len(value) * 36
    return len(value) * 8 if isinstance(value, (list, tuple)) else 0


def map_(value: Any, prop: Any = None) -> list:
    """``map`` (§4.5): each element's property, nil where missing."""
    return [_prop(item, prop) for item in as_list(value)]


def where(value: Any, prop: Any = None, target: Any = _MISSING) -> list:
    """``where`` (§4.5): elements whose property equals the value (no coercion), or whose
    property is truthy with one argument."""
    items = as_list(value)
    if target is _MISSING or target is None:
        return [e for e in items if _prop(e, prop) not in (None, False)]
    return [e for e in items if liquid_eq(_prop(e, prop), target)]


def _uniq_key(value: Any) -> str:
    return type(value).__name__ + ":" + json.dumps(value, sort_keys=False, default=str)


def uniq(value: Any, prop: Any = _MISSING) -> list:
    """``uniq`` (§4.5): the first occurrence of each value (or property value) is kept."""
    items = as_list(value)
    if len(items) < 2:  # Ruby reads no property of a lone element
        return items
    seen: set[str] = set()
    out = []
    for item in items:
        key = _uniq_key(item if prop is _MISSING else _prop(item, prop))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _sortable(values: list, filter_name: str) -> None:
    if all(is_number(v) for v in values) or all(isinstance(v, str) for v in values):
        return
    kinds = sorted({ruby_class(v) for v in values})
    raise HubRenderError(f"{filter_name}: cannot compare {' with '.join(kinds[:2])}")


def sort(value: Any, prop: Any = _MISSING) -> list | None:
    """``sort`` (§4.5): ascending, case-sensitive, nil last; mixed types are an error. With a
    property, elements without ``[]`` (numbers with a fraction, booleans, nil) make it nil (Ruby)."""
    items = as_list(value)
    if prop is not _MISSING and not _indexable(items):
        return None
    if len(items) < 2:  # Ruby compares (and so reads) nothing
        return items
    key = (lambda e: e) if prop is _MISSING else (lambda e: _prop(e, prop))
    present = [e for e in items if key(e) is not None]
    missing = [e for e in items if key(e) is None]
    if len(present) < 2:  # Ruby compares nothing: a single hash, boolean or blank comes back as it is
        return present + missing
    _sortable([key(e) for e in present], "sort")
    return sorted(present, key=key) + missing


def sort_natural(value: Any, prop: Any = _MISSING) -> list | None:
    """``sort_natural`` (§4.5): ascending, case-insensitive, nil last (with a property, nil as
    ``sort`` says)."""
    items = as_list(value)
    if prop is not _MISSING and not _indexable(items):
        return None
    if len(items) < 2:
        return items
    key = (lambda e: e) if prop is _MISSING else (lambda e: _prop(e, prop))
    present = [e for e in items if key(e) is not None]
    missing = [e for e in items if key(e) is None]
    # Ruby ``casecmp``: ASCII letters fold, everything else compares by code point.
    return sorted(present, key=lambda e: to_s(key(e)).translate(_ASCII_LOWER)) + missing


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NATURAL_PART = re.compile(r"(\d+)")


def _natural_key(text: str) -> list:
    parts = []
    for index, part in enumerate(_NATURAL_PART.split(text)):
        if index % 2:
            parts.append((0, int(part), ""))
        elif part:
            parts.append((1, 0, part))
    return parts


def sort_naturally(value: Any, prop: Any = _MISSING) -> list:
    """``sort_naturally`` (§4.5): digit runs compare as numbers, other runs by character code;
    nil values sort first."""
    items = _own_list(value)
    key = (lambda e: e) if prop is _MISSING else (lambda e: _prop(e, prop))
    missing = [e for e in items if key(e) is None]
    present = [e for e in items if key(e) is not None]
    return missing + sorted(present, key=lambda e: _natural_key(to_s(key(e))))


def reverse(value: Any) -> Any:
    """``reverse`` (§4.5): reversed array; a string comes back unchanged."""
    if isinstance(value, str):
        return value
    return list(reversed(as_list(value)))


def size(value: Any) -> int:
    """``size`` (§4.5): characters of a string (bytes of a binary string), elements of an
    array, pairs of a hash; 0 for anything else."""
    if isinstance(value, (str, list, tuple, dict, range, bytes)):
        return len(value)
    return 0


def sum_(value: Any) -> int | float:
    """``sum`` (§4.5): every element must be a number; empty is 0."""
    total: int | Decimal = 0
    for index, item in enumerate(_own_list(value)):
        if not is_number(item):
            raise HubRenderError(f"sum: element {index} is not a number ({ruby_inspect(item)})")
        total = total + (Decimal(repr(item)) if isinstance(item, float) else item)
    return float(total) if isinstance(total, Decimal) else total


def slice_(value: Any, *args: Any) -> Any:
    """``slice`` (§4.3, §4.5, §4.6): substring; array element (length 1) or sub-array; hash
    with only the given keys."""
    if isinstance(value, dict):
        wanted = [to_s(a) for a in args]
        return {k: v for k, v in value.items() if k in wanted}
    offset = integer_arg(args[0] if args else None, "slice", "offset")
    # Ruby: `length ||= 1`, so an explicit nil length is 1 too.
    length = integer_arg(args[1], "slice", "length") if len(args) > 1 and args[1] is not None else 1
    if isinstance(value, (list, tuple)):
        items = list(value)
        start = offset + len(items) if offset < 0 else offset
        if length == 1:
            return items[start] if 0 <= start < len(items) else None
        if start < 0 or start > len(items) or length < 0:
            return []
        return items[start : start + length]
    text = to_s(value)
    start = offset + len(text) if offset < 0 else offset
    if start < 0 or start > len(text) or length < 0:
        return ""
    return text[start : start + length]


MAX_GROUPS = 100_000
"""Bound on ``in_groups``' group count and ``in_groups_of``' padded group size: each is
allocated whatever the input's length, so a huge argument would exhaust memory first."""


def _group_args(args: tuple, kwargs: dict, filter_name: str) -> tuple[int, Any]:
    positional, options = split_options(args, kwargs)
    count = integer_arg(positional[0] if positional else None, filter_name, "group size")
    fill = options.get("fill_with", positional[1] if len(positional) > 1 else None)
    return count, fill


def in_groups_of(value: Any, *args: Any, **kwargs: Any) -> list:
    """``in_groups_of`` (§4.5): arrays of ``size`` elements; the last padded with ``fill_with``
    (nil by default) unless it is false."""
    size_, fill = _group_args(args, kwargs, "in_groups_of")
    if size_ <= 0:
        raise HubRenderError("in_groups_of: group size must be positive")
    if size_ > MAX_GROUPS and fill is not False:
        raise HubRenderError(f"in_groups_of: group size too large to pad (at most {MAX_GROUPS:,})")
    items = _own_list(value)
    groups = [items[i : i + size_] for i in range(0, len(items), size_)]
    if fill is not False and groups and len(groups[-1]) < size_:
        groups[-1] = groups[-1] + [fill] * (size_ - len(groups[-1]))
    return groups


def in_groups(value: Any, *args: Any, **kwargs: Any) -> list:
    """``in_groups`` (§4.5): ``count`` groups whose sizes differ by at most one."""
    count, fill = _group_args(args, kwargs, "in_groups")
    if count <= 0:
        raise HubRenderError("in_groups: number of groups must be positive")
    if count > MAX_GROUPS:
        raise HubRenderError(f"in_groups: too many groups (at most {MAX_GROUPS:,})")
    items = _own_list(value)
    division, modulo = divmod(len(items), count)
    groups, start = [], 0
    for index in range(count):
        length = division + (1 if index < modulo else 0)
        group = items[start : start + length]
        start += length
        if fill is not False and modulo and index >= modulo:
            group = group + [fill]
        groups.append(group)
    return groups


def index_by(value: Any, prop: Any = None) -> dict:
    """``index_by`` (§4.5): hash of the elements keyed by their property (stringified)."""
    out: dict = {}
    for item in _own_list(value):
        key = _prop(item, prop)
        if key is not None:
            out[to_s(key)] = item
    return out


def sample(value: Any, count: Any = _MISSING) -> Any:
    """``sample`` (§4.5): one random element, or ``count`` distinct ones."""
    import random

    items = _own_list(value)
    if count is _MISSING:
        return random.choice(items) if items else None  # noqa: S311  (a Liquid filter, not a secret)
    wanted = integer_arg(count, "sample", "count")
    if wanted < 0:
        raise HubRenderError(f"sample: negative sample number {wanted}")
    return random.sample(items, min(wanted, len(items)))


FILTERS = {
    "push": push,
    "unshift": unshift,
    "except": except_,
    "compact": compact,
    "first": first,
    "last": last,
    "join": join,
    "concat": concat,
    "map": map_,
    "where": where,
    "uniq": uniq,
    "sort": sort,
    "sort_natural": sort_natural,
    "sort_naturally": sort_naturally,
    "reverse": reverse,
    "size": size,
    "sum": sum_,
    "slice": slice_,
    "in_groups_of": in_groups_of,
    "in_groups": in_groups,
    "index_by": index_by,
    "sample": sample,
}
