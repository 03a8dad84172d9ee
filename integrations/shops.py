"""Finding and validating shops from user input (CLI arguments, headers)."""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DOMAIN_RE = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")


class ShopError(ValueError):
    """A shop argument that names no usable shop."""


def normalize_domain(value: str) -> str:
    """``Example`` or ``example.myshopify.com`` → ``example.myshopify.com``; raises ``ShopError``."""
    domain = (value or "").strip().lower()
    if "." not in domain:
        domain = f"{domain}.myshopify.com"
    if not DOMAIN_RE.fullmatch(domain):
        raise ShopError(f"invalid shop domain {value!r}: expected <handle>.myshopify.com")
    return domain


def validate_timezone(name: str) -> str:
    """Return ``name`` if it is a known IANA time zone; raises ``ShopError``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ShopError(
            f"unknown time zone {name!r}: expected an IANA name such as America/Chicago"
        ) from None
    return name


def resolve_shop(domain: str | None):
    """The shop named by ``domain``, or the only shop when ``domain`` is None; raises ``ShopError``."""
    from integrations.models import Shop

    if domain:
        normalized = normalize_domain(domain)
        try:
            return Shop.objects.get(myshopify_domain=normalized)
        except Shop.DoesNotExist:
            raise ShopError(
                f"no shop {normalized}; create it with: manage.py create_shop {normalized}"
            ) from None
    shops = list(Shop.objects.all()[:2])
    if not shops:
        raise ShopError("no shop exists; create one with: manage.py create_shop DOMAIN")
    if len(shops) > 1:
        raise ShopError("several shops exist; name one with --shop DOMAIN")
    return shops[0]
