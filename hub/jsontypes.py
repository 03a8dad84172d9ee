"""Type names for JSON-shaped values: event data, task options, action results."""

from typing import Any, TypeAlias

# What ``json.loads`` returns. Any rather than a recursive union: Liquid and the
# actions index into these values freely, and a union would demand a check at every step.
JSON: TypeAlias = Any
# A JSON object (a Liquid hash).
JSONObject: TypeAlias = dict[str, Any]
