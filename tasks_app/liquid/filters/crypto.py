"""Digest and signing filters (spec/liquid.md §4.3): ``md5``, ``sha1``, ``sha256``, ``sha512``,
``hmac_sha1``/``hmac_sha256``/``hmac_sha512`` and ``rsa_sha256``/``rsa_sha512``. The signing
filters resolve secret references in their key (spec/platform.md §5.3)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from liquid.filter import with_context

from ..values import HubRenderError
from .base import as_bytes, is_true, resolve_secret, split_options


def _digest(name: str, value: Any) -> str:
    return hashlib.new(name, as_bytes(value)).hexdigest()


def md5(value: Any) -> str:
    """``md5`` (§4.3): lowercase hex MD5 of the input's bytes (nil → digest of "")."""
    return _digest("md5", value)


def sha1(value: Any) -> str:
    """``sha1`` (§4.3): lowercase hex SHA-1."""
    return _digest("sha1", value)


def sha256(value: Any) -> str:
    """``sha256`` (§4.3): lowercase hex SHA-256 (``x | json | sha256`` fingerprints)."""
    return _digest("sha256", value)


def sha512(value: Any) -> str:
    """``sha512`` (§4.3): lowercase hex SHA-512."""
    return _digest("sha512", value)


def _hmac(name: str, value: Any, args: tuple, kwargs: dict, context: Any) -> str | bytes:
    filter_name = f"hmac_{name}"
    positional, options = split_options(args, kwargs)
    if not positional or positional[0] is None:
        raise HubRenderError(f"{filter_name}: a key is required")
    key = resolve_secret(context, positional[0], filter_name)
    mac = hmac.new(as_bytes(key), as_bytes(value), name)
    return mac.digest() if is_true(options, "binary") else mac.hexdigest()


@with_context
def hmac_sha1(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str | bytes:
    """``hmac_sha1`` (§4.3): ``input | hmac_sha1: key[, binary: true]``.

    Lowercase hex digest; the raw digest (a binary string) with ``binary: true``. The key may
    be a secret reference or a binary string (the previous call's raw digest); a missing or
    nil key is a render error.
    """
    return _hmac("sha1", value, args, kwargs, context)


@with_context
def hmac_sha256(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str | bytes:
    """``hmac_sha256`` (§4.3): as ``hmac_sha1`` with SHA-256 (AWS SigV4 chains binary keys)."""
    return _hmac("sha256", value, args, kwargs, context)


@with_context
def hmac_sha512(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str | bytes:
    """``hmac_sha512`` (§4.3): as ``hmac_sha1`` with SHA-512."""
    return _hmac("sha512", value, args, kwargs, context)


def _private_key(pem: Any, filter_name: str) -> rsa.RSAPrivateKey:
    data = as_bytes(pem)
    if b"-----BEGIN" in data and b"\n" not in data and b"\\n" in data:
        # A PEM pasted from JSON keeps its "\n" escapes; PEM needs real line breaks.
        data = data.replace(b"\\n", b"\n")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise HubRenderError(
            f"{filter_name}: invalid RSA private key (expected an unencrypted PEM key)"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise HubRenderError(f"{filter_name}: the PEM key is not an RSA private key")
    return key


def _rsa(
    algorithm: hashes.HashAlgorithm, filter_name: str, value: Any, args: tuple, kwargs: dict, context: Any
):
    positional, options = split_options(args, kwargs)
    pem = resolve_secret(context, positional[0] if positional else None, filter_name)
    if pem is None or pem == "":
        raise HubRenderError(f"{filter_name}: a PEM private key is required")
    signature = _private_key(pem, filter_name).sign(as_bytes(value), padding.PKCS1v15(), algorithm)
    return signature if is_true(options, "binary") else signature.hex()


@with_context
def rsa_sha256(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str | bytes:
    """``rsa_sha256`` (§4.3): ``input | rsa_sha256: pem[, binary: true]``.

    RSASSA-PKCS1-v1_5 SHA-256 signature of the input's bytes: lowercase hex by default, the raw
    signature (a binary string) with ``binary: true``. The key may be a secret reference.
    A missing, malformed, encrypted or non-RSA key is a render error.
    """
    return _rsa(hashes.SHA256(), "rsa_sha256", value, args, kwargs, context)


@with_context
def rsa_sha512(value: Any, *args: Any, context: Any = None, **kwargs: Any) -> str | bytes:
    """``rsa_sha512`` (§4.3): as ``rsa_sha256`` with SHA-512."""
    return _rsa(hashes.SHA512(), "rsa_sha512", value, args, kwargs, context)


FILTERS = {
    "md5": md5,
    "sha1": sha1,
    "sha256": sha256,
    "sha512": sha512,
    "hmac_sha1": hmac_sha1,
    "hmac_sha256": hmac_sha256,
    "hmac_sha512": hmac_sha512,
    "rsa_sha256": rsa_sha256,
    "rsa_sha512": rsa_sha512,
}
