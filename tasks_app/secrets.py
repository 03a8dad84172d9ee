"""Shop secrets: encryption at rest, opaque references, resolution and redaction
(spec/platform.md §5.3, spec/actions.md §0.4).

Liquid never sees a raw value: ``secrets.<key>`` is a reference ``⟦secret:<key>:<nonce>⟧``
whose nonce belongs to one task run. Only the places the spec names (HTTP and FTP actions,
signing filters) turn references back into values, and only for their own run's nonce, so a
reference smuggled in through event data stays inert. Whatever those places store afterwards
goes through ``redact``. Nothing in this module logs a value.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterable
from secrets import token_hex
from typing import Any
from urllib.parse import quote, quote_plus

from cryptography.fernet import InvalidToken

from hub.crypto import derived_key, fernet

REDACTED = "__mechanic_secret_value_redacted__"
REFERENCE_RE = re.compile(r"⟦secret:([a-z][a-z0-9_]*):([A-Za-z0-9_-]+)⟧")

_B64_STD = "A-Za-z0-9+/"
_B64_URL = "A-Za-z0-9_-"


class SecretError(Exception):
    """A secret cannot be used; the message names the secret's key, never its value."""

    def __init__(self, message: str, key: str):
        super().__init__(message)
        self.key = key


class SecretNotFound(SecretError):
    """A reference names a secret the shop does not have (any more): ``secret not found: <key>``."""

    def __init__(self, key: str):
        super().__init__(f"secret not found: {key}", key)


class SecretDecryptionError(SecretError):
    """A stored secret was encrypted with a key that is not in ``HUB_SECRET_KEYS``."""

    def __init__(self, key: str, shop: str | None = None):
        where = f" of shop {shop}" if shop else ""
        super().__init__(
            f"secret {key}{where} cannot be decrypted: it was encrypted with a key that is "
            f"no longer in HUB_SECRET_KEYS",
            key,
        )


# -- encryption at rest (keys and MultiFernet: hub.crypto) ----------------------------------------


def encrypt(raw: str) -> str:
    """Encrypt ``raw`` with the newest key; returns the Fernet token as text."""
    if not isinstance(raw, str):
        raise TypeError("secret values are strings")
    return fernet().encrypt(raw.encode("utf-8")).decode("ascii")


def decrypt(token: str, key: str) -> str:
    """Decrypt the stored ``token`` of secret ``key`` with any configured key.

    Raises ``SecretDecryptionError`` (naming ``key``) when none of them fits.
    """
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise SecretDecryptionError(key) from None


def rotate_all() -> int:
    """Re-encrypt every stored secret with the newest key (``MultiFernet.rotate``); returns the count.

    All or nothing: raises ``SecretDecryptionError`` naming the first secret no configured key
    decrypts, and then changes nothing. ``updated_at`` is left alone: the value did not change.
    """
    from django.db import transaction

    from tasks_app.models import Secret

    multi = fernet()
    count = 0
    with transaction.atomic():
        rows = Secret.objects.select_for_update().select_related("shop").order_by("pk")
        for secret in rows:
            try:
                token = multi.rotate(secret.encrypted_value.encode("ascii")).decode("ascii")
            except InvalidToken:
                raise SecretDecryptionError(secret.key, secret.shop.myshopify_domain) from None
            Secret.objects.filter(pk=secret.pk).update(encrypted_value=token)
            count += 1
    return count


# -- references ----------------------------------------------------------------------------------


def new_nonce() -> str:
    """A fresh random nonce for one task run (or one preview)."""
    return token_hex(16)


def secret_reference(key: str, nonce: str) -> str:
    """The opaque reference Liquid sees for secret ``key`` in the run with ``nonce`` (§5.3)."""
    return f"⟦secret:{key}:{nonce}⟧"


def liquid_secrets(shop, nonce: str) -> dict[str, str]:
    """The Liquid ``secrets`` object of ``shop`` (a Shop or its pk): ``{key: reference}``."""
    from tasks_app.models import Secret

    return {key: secret_reference(key, nonce) for key in Secret.keys_for(shop)}


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    """A copy of a JSON structure with ``change`` applied to every string, keys included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {(change(k) if isinstance(k, str) else k): _walk(v, change) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walk(item, change) for item in value]
    return value


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield k
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _load(shop, keys: list[str]) -> dict[str, str]:
    """Raw values of ``keys`` (in order); ``SecretNotFound`` for the first one missing."""
    from tasks_app.models import Secret

    stored = {secret.key: secret for secret in Secret.objects.filter(shop=shop, key__in=keys)}
    for key in keys:
        if key not in stored:
            raise SecretNotFound(key)
    return {key: stored[key].reveal() for key in keys}


def resolve_references(value: Any, *, shop, nonce: str) -> tuple[Any, list[str]]:
    """Replace every reference carrying ``nonce`` inside every string of ``value`` (dict keys
    included) with the secret's raw value; returns ``(resolved copy, raw values used)``.

    Substring replacement, so ``"Bearer ⟦secret:t:n⟧"`` becomes ``"Bearer <value>"``.
    References with another nonce are untrusted data and stay as they are. The raw values
    are listed once each, in order of first use; hand them to ``redact`` before storing
    anything. ``shop`` is a Shop or its pk. Raises ``SecretNotFound`` ("secret not found:
    <key>") for a reference to a secret the shop does not have, ``SecretDecryptionError``
    when a value cannot be decrypted. Spec: platform.md §5.3, actions.md §0.4.
    """
    keys: dict[str, None] = {}
    for text in _strings(value):
        for match in REFERENCE_RE.finditer(text):
            if match[2] == nonce:
                keys.setdefault(match[1], None)
    if not keys:
        return _walk(value, lambda text: text), []
    raw = _load(shop, list(keys))

    def substitute(text: str) -> str:
        return REFERENCE_RE.sub(lambda m: raw[m[1]] if m[2] == nonce else m[0], text)

    return _walk(value, substitute), list(raw.values())


def secret_resolver(shop, nonce: str) -> Callable[[str], str]:
    """A resolver for the signing filters' key argument (``RenderSettings.resolve_secret``).

    The returned function maps a string to the same string with this run's references replaced
    by raw values (other text unchanged); it raises ``SecretNotFound`` /
    ``SecretDecryptionError`` like ``resolve_references``. The database is read on first use.
    """
    cache: dict[str, str] = {}

    def resolve(text: str) -> str:
        if not isinstance(text, str) or "⟦secret:" not in text:
            return text
        wanted = [m[1] for m in REFERENCE_RE.finditer(text) if m[2] == nonce and m[1] not in cache]
        if wanted:
            cache.update(_load(shop, list(dict.fromkeys(wanted))))
        return REFERENCE_RE.sub(lambda m: cache[m[1]] if m[2] == nonce else m[0], text)

    return resolve


# -- redaction -----------------------------------------------------------------------------------


def _literal_forms(raw: str) -> set[str]:
    """The raw value as written literally, reversed, percent-encoded (its special characters or
    every byte), JSON-escaped, HTML-escaped (named, decimal or hexadecimal character references),
    hex-encoded and base64-encoded. ``redact`` matches them without regard to case."""
    data = raw.encode("utf-8")
    forms = {raw, raw[::-1], quote(raw, safe=""), quote(raw), quote_plus(raw, safe="")}
    forms.add("".join(f"%{byte:02X}" for byte in data))
    forms |= {json.dumps(raw)[1:-1], json.dumps(raw, ensure_ascii=False)[1:-1]}
    forms |= _html_forms(raw)
    forms.add(data.hex())
    forms |= {base64.b64encode(data).decode("ascii"), base64.urlsafe_b64encode(data).decode("ascii")}
    return {form for form in forms if form}


def _html_forms(raw: str) -> set[str]:
    """``raw`` HTML-escaped as escapers write it: its special characters as named or numeric
    references, or every character as a decimal or hexadecimal reference."""
    escaped = html.escape(raw, quote=True)
    return {
        escaped,
        html.escape(raw, quote=False),
        escaped.replace("&#x27;", "&#39;"),
        escaped.replace("&#x27;", "&apos;"),
        "".join(f"&#{ord(char)};" for char in raw),
        "".join(f"&#x{ord(char):x};" for char in raw),
    }


def _base64_patterns(raw: str) -> list[re.Pattern]:
    """Patterns for the raw value base64-encoded inside longer data, at each of the three byte
    alignments: the whole 4-character groups made of its bytes only, plus the characters of
    the partial groups at either end that carry some of its bits."""
    data = raw.encode("utf-8")
    patterns = []
    for alphabet, encode in ((_B64_STD, base64.b64encode), (_B64_URL, base64.urlsafe_b64encode)):
        for lead in (0, 1, 2):
            groups = (len(data) - lead) // 3
            if groups < 1:
                continue
            core = encode(data[lead : lead + 3 * groups]).decode("ascii")
            tail = len(data) - lead - 3 * groups
            before = f"[{alphabet}]{{{lead + 1}}}" if lead else ""
            after = f"[{alphabet}]{{{tail + 1}}}" if tail else ""
            patterns.append(re.compile(before + re.escape(core) + after))
    return patterns


def redact(value: Any, raw_values: Iterable[str]) -> Any:
    """A copy of ``value`` (any JSON structure; dict keys included) where every raw value is
    replaced by ``REDACTED``: literal or reversed, in any letter case, percent-encoded,
    JSON-escaped, HTML-escaped, hex-encoded (either case) or base64-encoded (standard or URL-safe
    alphabet, on its own or inside longer base64 data). Empty values are ignored. Spec:
    platform.md §5.3 and actions.md §0.4 (decision).
    """
    raws = sorted({raw for raw in raw_values if isinstance(raw, str) and raw}, key=len, reverse=True)
    if not raws:
        return _walk(value, lambda text: text)
    forms = sorted(set().union(*(_literal_forms(raw) for raw in raws)), key=len, reverse=True)
    literal = re.compile("|".join(re.escape(form) for form in forms), re.IGNORECASE)
    encoded = [pattern for raw in raws for pattern in _base64_patterns(raw)]

    def scrub(text: str) -> str:
        text = literal.sub(REDACTED, text)
        for pattern in encoded:
            text = pattern.sub(REDACTED, text)
        return text

    return _walk(value, scrub)


__all__ = [
    "REDACTED",
    "SecretDecryptionError",
    "SecretError",
    "SecretNotFound",
    "decrypt",
    "derived_key",
    "encrypt",
    "fernet",
    "liquid_secrets",
    "new_nonce",
    "redact",
    "resolve_references",
    "rotate_all",
    "secret_reference",
    "secret_resolver",
]
