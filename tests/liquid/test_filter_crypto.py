"""Digests and signing filters, with secret references as keys (spec/liquid.md §4.3,
spec/platform.md §5.3)."""

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tasks_app.liquid import LiquidError

from .helpers import text

JEFE = "what do ya want for nothing?"
REFERENCE = "⟦secret:signing_key:n0nce⟧"


def resolver(value):
    return value.replace(REFERENCE, "Jefe")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            '{{ "" | md5 }}|{{ nil | md5 }}',
            "d41d8cd98f00b204e9800998ecf8427e|d41d8cd98f00b204e9800998ecf8427e",
        ),
        ('{{ "abc" | sha1 }}', "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ('{{ "abc" | sha256 }}', "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            '{{ "abc" | sha512 }}',
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        ('{{ "é" | md5 }}', "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
        ('{{ data | hmac_sha1: "Jefe" }}', "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (
            '{{ data | hmac_sha256: "Jefe" }}',
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            '{{ data | hmac_sha512: "Jefe" }}',
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
        (
            '{{ data | hmac_sha256: "Jefe", binary: true | base64_encode }}',
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=",
        ),
        (
            '{{ data | hmac_sha256: "Jefe", binary: false }}',
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        # secret references resolve only in the key argument
        ("{{ data | hmac_sha256: ref }}", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("{{ ref | append: '' }}", REFERENCE),
        # AWS SigV4-style chaining: a binary digest is the next key
        (
            '{% assign k = "date" | hmac_sha256: "AWS4secret",'
            ' binary: true %}{{ "region" | hmac_sha256: k }}',
            "5580bcad94c1083d55d7c8832e71e82b402cbac737bb7f8ae23be41f6e979f9f",
        ),
    ],
)
def test_digest_filter(source, expected):
    assert text(source, {"data": JEFE, "ref": REFERENCE}, resolve_secret=resolver) == expected


def test_signing_keys_are_used_as_given_without_a_resolver():
    expected = hmac.new(REFERENCE.encode(), b"x", hashlib.sha256).hexdigest()
    assert text("{{ 'x' | hmac_sha256: ref }}", {"ref": REFERENCE}) == expected


@pytest.fixture(scope="module")
def rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.TraditionalOpenSSL, NoEncryption()).decode()
    return key, pem


@pytest.mark.parametrize(
    ("name", "algorithm"), [("rsa_sha256", hashes.SHA256()), ("rsa_sha512", hashes.SHA512())]
)
def test_rsa_signatures_are_pkcs1v15_hex_by_default(rsa_key, name, algorithm):
    key, pem = rsa_key
    expected = key.sign(b"header.payload", padding.PKCS1v15(), algorithm)
    assert text("{{ 'header.payload' | " + name + ": pem }}", {"pem": pem}) == expected.hex()
    binary = text(
        "{{ 'header.payload' | " + name + ": pem, binary: true | base64_url_safe_encode }}", {"pem": pem}
    )
    assert base64.urlsafe_b64decode(binary) == expected


def test_rsa_key_may_be_a_secret_reference_or_escaped_pem(rsa_key):
    key, pem = rsa_key
    expected = key.sign(b"x", padding.PKCS1v15(), hashes.SHA256()).hex()
    out = text(
        "{{ 'x' | rsa_sha256: ref }}", {"ref": REFERENCE}, resolve_secret=lambda v: v.replace(REFERENCE, pem)
    )
    assert out == expected
    assert text("{{ 'x' | rsa_sha256: pem }}", {"pem": pem.replace("\n", "\\n")}) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 'x' | hmac_sha256 }}", "hmac_sha256: a key is required"),
        ("{{ 'x' | hmac_sha1: nothing }}", "hmac_sha1: a key is required"),
        (
            "{{ 'x' | rsa_sha256: 'not a key' }}",
            "rsa_sha256: invalid RSA private key (expected an unencrypted PEM key)",
        ),
        ("{{ 'x' | rsa_sha512: nothing }}", "rsa_sha512: a PEM private key is required"),
        ("{{ 'x' | hmac_sha512: missing }}", "hmac_sha512: secret not found: gone"),
    ],
)
def test_signing_filter_errors(source, message):
    def resolve(value):
        if "gone" in value:
            raise LookupError("secret not found: gone")
        return value

    with pytest.raises(LiquidError) as info:
        text(source, {"missing": "⟦secret:gone:n0nce⟧"}, resolve_secret=resolve)
    assert info.value.message.split("): ", 1)[1] == message
