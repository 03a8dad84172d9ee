"""Hub's encryption keys for values stored at rest (spec/platform.md §5.3, §6.1, §10.3).

Shop secrets (``tasks_app.secrets``) and the OAuth tokens of connected accounts
(``integrations.oauth.tokens``) are encrypted with the same ``MultiFernet``:
``HUB_SECRET_KEYS``, newest first, every key decrypts, the first encrypts, and
``manage.py rotate_secrets`` re-encrypts both with the first.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def derived_key() -> bytes:
    """The local default Fernet key, derived from Django's ``SECRET_KEY``.

    Only for development: production sets ``HUB_SECRET_KEYS`` so that stored values do not
    depend on (and do not break with) ``SECRET_KEY``.
    """
    digest = hashlib.sha256(b"hub-secret-keys\0" + settings.SECRET_KEY.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)


def fernet() -> MultiFernet:
    """A ``MultiFernet`` over ``HUB_SECRET_KEYS`` (newest first), or over ``derived_key()``
    when the setting is empty. Raises ``ImproperlyConfigured`` for a malformed key."""
    keys = tuple(getattr(settings, "HUB_SECRET_KEYS", None) or ()) or (derived_key().decode("ascii"),)
    return _multi_fernet(keys)


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, 1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"HUB_SECRET_KEYS: entry {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return MultiFernet(fernets)
