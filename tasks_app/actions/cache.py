"""The ``cache`` action: Redis-style writes to the shop's key-value cache (spec/actions.md §6).

Storage and key/value/expiry rules are spec/platform.md §4; the table is
``CacheEntry``.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    PermanentActionError,
    compact_json,
    describe,
    register,
    to_int,
)
from tasks_app.models.cache import KEY_RE, MAX_KEY_LENGTH, MAX_TTL_S, CacheEntry

if TYPE_CHECKING:
    from integrations.models import Shop

MAX_VALUE_BYTES = 262_144

# Positional argument order per command (spec/actions.md §6 "Options").
COMMANDS: dict[str, tuple[str, ...]] = {
    "set": ("key", "value"),
    "setex": ("key", "ttl", "value"),
    "del": ("key",),
    "incr": ("key",),
    "incrby": ("key", "increment"),
    "decr": ("key",),
    "decrby": ("key", "decrement"),
}


@dataclass(frozen=True)
class CacheCommand:
    """A validated command: ``ttl`` is the effective TTL in seconds (None for ``del`` without one)."""

    command: str
    key: str
    value: Any = None
    ttl: int | None = None
    delta: int = 0


def parse_command(options: Any) -> tuple[str, dict]:
    """Split either option shape into ``(command, {argument: value})``.

    Verbose: ``{"incr": {"key": "k", "ttl": 600}}``. Positional:
    ``["setex", "k", 60, "v"]``. Raises ``PermanentActionError`` for an unknown
    command, a wrong argument count or unknown verbose arguments.
    """
    known = ", ".join(COMMANDS)
    if isinstance(options, list):
        if not options or not isinstance(options[0], str):
            raise PermanentActionError(f"options must start with a cache command ({known})")
        command, args = options[0], options[1:]
        if command not in COMMANDS:
            raise PermanentActionError(f"unknown cache command {command!r} (known: {known})")
        names = COMMANDS[command]
        if len(args) != len(names):
            raise PermanentActionError(
                f"cache command {command!r} takes {len(names)} argument(s) ({', '.join(names)}), "
                f"got {len(args)}"
            )
        return command, dict(zip(names, args, strict=True))
    if isinstance(options, dict):
        if len(options) != 1:
            raise PermanentActionError(
                f"options must be an object with exactly one key, the cache command ({known}); "
                f"got {len(options)} keys"
            )
        command, args = next(iter(options.items()))
        if command not in COMMANDS:
            raise PermanentActionError(f"unknown cache command {command!r} (known: {known})")
        if not isinstance(args, dict):
            raise PermanentActionError(
                f"the arguments of cache command {command!r} must be an object, got {describe(args)}"
            )
        allowed = {*COMMANDS[command], "ttl"}
        unknown = sorted(set(args) - allowed)
        if unknown:
            raise PermanentActionError(
                f"cache command {command!r} does not take {', '.join(map(repr, unknown))} "
                f"(arguments: {', '.join(sorted(allowed))})"
            )
        missing = [name for name in COMMANDS[command] if name not in args]
        if missing:
            raise OptionError(missing[0], f"is required by cache command {command!r}")
        return command, dict(args)
    raise PermanentActionError(
        "options must be an object {command: arguments} or an array [command, ...], "
        f"got {describe(options)}"
    )


def clean_key(value: Any) -> str:
    """A valid cache key; integers are taken as their decimal text (spec/platform.md §4.1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise OptionError("key", f"must be a string, got {describe(value)}")
    if len(value) > MAX_KEY_LENGTH:
        raise OptionError("key", f"must be at most {MAX_KEY_LENGTH} characters, got {len(value)}")
    if not KEY_RE.fullmatch(value):
        raise OptionError("key", f"{value!r} may contain only letters, digits and _ : - . /")
    return value


def clean_ttl(value: Any) -> int:
    """A TTL in whole seconds, above zero; above 60 days is clamped (spec/platform.md §4.3)."""
    ttl = to_int(value, "ttl")
    if ttl <= 0:
        raise OptionError("ttl", f"must be a positive number of seconds, got {ttl}")
    return min(ttl, MAX_TTL_S)


def clean_value(value: Any) -> Any:
    """A storable value: any JSON of at most 262,144 bytes as compact UTF-8 JSON."""
    size = len(compact_json(value).encode())
    if size > MAX_VALUE_BYTES:
        raise OptionError("value", f"is {size} bytes as JSON; the maximum is {MAX_VALUE_BYTES}")
    return value


@register
class CacheAction(Action):
    """Runs one cache command against the shop's ``CacheEntry`` rows.

    Commands: ``set``, ``setex``, ``del``, ``incr``, ``incrby``, ``decr``,
    ``decrby``. Every command resets the entry's expiry to ``ttl`` or the
    60-day default; counters change atomically under a row lock and treat a
    missing or expired key as 0. Result: ``{"command", "key", "value", "ttl"}``,
    ``value`` the stored value afterwards (null for ``del``), ``ttl`` the
    effective TTL in seconds (null for ``del`` without one). All errors are
    permanent.
    """

    type = "cache"

    def validate(self, options: Any) -> CacheCommand:
        command, args = parse_command(options)
        key = clean_key(args["key"])
        ttl = clean_ttl(args["ttl"]) if args.get("ttl") is not None else None
        if command == "setex" and ttl is None:
            raise OptionError("ttl", "is required by cache command 'setex'")
        if command != "del" and ttl is None:
            ttl = MAX_TTL_S
        delta = 0
        if command in ("incr", "decr"):
            delta = 1 if command == "incr" else -1
        elif command == "incrby":
            delta = to_int(args["increment"], "increment")
        elif command == "decrby":
            delta = -to_int(args["decrement"], "decrement")
        value = clean_value(args["value"]) if command in ("set", "setex") else None
        return CacheCommand(command=command, key=key, value=value, ttl=ttl, delta=delta)

    def perform(self, context: ActionContext) -> dict:
        cmd: CacheCommand = context.options
        shop = context.shop
        if cmd.command == "del":
            CacheEntry.objects.filter(shop=shop, key=cmd.key).delete()
            value = None
        elif cmd.command in ("set", "setex"):
            CacheEntry.objects.update_or_create(
                shop=shop,
                key=cmd.key,
                defaults={"value": cmd.value, "expires_at": CacheEntry.expiry(cmd.ttl)},
            )
            value = cmd.value
        else:
            value = self.add(shop, cmd)
        return {"command": cmd.command, "key": cmd.key, "value": value, "ttl": cmd.ttl}

    def add(self, shop: "Shop", cmd: CacheCommand) -> int:
        """Add ``cmd.delta`` to the counter under a row lock; returns the new value.

        Two runs creating the same missing key race on the unique constraint;
        the loser retries and then finds the row to lock.
        """
        for _ in range(3):
            try:
                with transaction.atomic():
                    entry = CacheEntry.objects.select_for_update().filter(shop=shop, key=cmd.key).first()
                    if entry is None:
                        CacheEntry.objects.create(
                            shop=shop, key=cmd.key, value=cmd.delta, expires_at=CacheEntry.expiry(cmd.ttl)
                        )
                        return cmd.delta
                    current = entry.value if entry.expires_at > timezone.now() else 0
                    if isinstance(current, bool) or not isinstance(current, int):
                        raise PermanentActionError(
                            f"cache key {cmd.key!r} holds {compact_json(current)[:100]}, not an integer; "
                            f"{cmd.command} left it untouched"
                        )
                    entry.value = current + cmd.delta
                    entry.expires_at = CacheEntry.expiry(cmd.ttl)
                    entry.save(update_fields=["value", "expires_at", "updated_at"])
                    return entry.value
            except IntegrityError:
                continue
        raise PermanentActionError(
            f"cache key {cmd.key!r} could not be updated: concurrent writes kept failing"
        )
