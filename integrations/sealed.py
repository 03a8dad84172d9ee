"""A model field whose value is encrypted at rest: the offline access token of a shop (issue:
Shopify app lifecycle; spec/platform.md §6.1 encrypts tokens the same way).

``SealedCharField`` stores ``fernet:<ciphertext>`` (the ``MultiFernet`` of ``hub.crypto``, newest key
of ``HUB_SECRET_KEYS`` first) and hands Python code the plaintext, so callers read and assign
``shop.access_token`` as before. A value no configured key decrypts is loaded as its ciphertext
unchanged: ``is_sealed`` tells the caller, which then fails with a message naming the shop
(``integrations.shopify.client``) rather than sending ciphertext to Shopify.
"""

from typing import Any

from cryptography.fernet import InvalidToken
from django.db import models

from hub.crypto import fernet

SEALED_PREFIX = "fernet:"


def is_sealed(value: object) -> bool:
    """Whether ``value`` is stored ciphertext (``fernet:...``) rather than plaintext."""
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def seal_text(value: str) -> str:
    """``value`` encrypted with the newest key as ``fernet:<token>``; sealed and empty values unchanged."""
    if not value or is_sealed(value):
        return value or ""
    return SEALED_PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def open_text(value: str) -> str:
    """The plaintext of ``value`` (plaintext is returned as is). Raises
    ``cryptography.fernet.InvalidToken`` when no configured key decrypts it."""
    if not is_sealed(value):
        return value or ""
    return fernet().decrypt(value[len(SEALED_PREFIX) :].encode("ascii")).decode("utf-8")


class SealedCharField(models.CharField):
    """A ``CharField`` encrypted at rest (see the module docstring); ``max_length`` bounds the
    stored ciphertext, about 1.4 × the plaintext plus 110 characters."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        try:
            return open_text(value)
        except (InvalidToken, UnicodeError):
            return value  # still sealed: the caller sees is_sealed() and names the problem

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return seal_text(value) if isinstance(value, str) else value
