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


def install_scopes(domain: str) -> list[str]:
    """The access scopes to ask for when ``domain`` installs or re-authorizes the app: what its
    enabled tasks need (``Shop.required_scopes``, kept up to date by the tasks app), with
    ``read_all_orders`` beside ``read_orders`` when the shop asked to read all orders (spec/platform.md
    §2.1, §7.9). A shop Hub does not know yet asks for nothing more than the platform needs: none."""
    from integrations.models import Shop

    shop = Shop.objects.filter(myshopify_domain=domain).first()
    if shop is None:
        return []
    scopes = list(shop.required_scopes or [])
    if shop.read_all_orders and {"read_orders", "write_orders"} & set(scopes):
        scopes.append("read_all_orders")
    return sorted(set(scopes))
