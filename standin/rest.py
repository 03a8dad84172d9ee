"""The stand-in's legacy REST Admin API: orders, customers, theme assets, shop (spec/actions.md §1).

Representations follow Shopify's REST shape (snake_case, numeric ``id``,
``admin_graphql_api_id``, tags as one comma-separated string); errors are
``{"errors": ...}`` bodies with Shopify's status codes.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from standin.store import Store, gid, gid_number

RESOURCES = {"orders": ("Order", "order"), "customers": ("Customer", "customer")}
NOT_FOUND = (404, {"errors": "Not Found"})


def snake(name: str) -> str:
    """``camelCase`` → ``camel_case``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def rest_address(address: dict | None) -> dict | None:
    """A ``MailingAddress`` record in REST shape, or None.

    Keys become snake_case and ``countryCodeV2`` becomes ``country_code``.
    """
    if address is None:
        return None
    rest = {snake(key): value for key, value in address.items()}
    if "country_code_v2" in rest:
        rest["country_code"] = rest.pop("country_code_v2")
    return rest


def camel(name: str) -> str:
    """``snake_case`` → ``snakeCase``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def graphql_address(address: dict) -> dict:
    """A REST address (``country_code``, ``province_code``...) as a ``MailingAddress`` record."""
    record = {camel(key): value for key, value in address.items()}
    if "countryCode" in record:
        record["countryCodeV2"] = record.pop("countryCode")
    return record


def rest_customer(store: Store, record: dict) -> dict:
    """A customer record as a REST ``customer`` object.

    Numeric ``id``, lower-case ``state``, tags as one comma-separated string, snake_case keys.
    """
    return {
        "id": int(gid_number(record["id"])),
        "email": record.get("email"),
        "created_at": record.get("createdAt"),
        "updated_at": record.get("updatedAt"),
        "first_name": record.get("firstName"),
        "last_name": record.get("lastName"),
        "state": str(record.get("state", "")).lower(),
        "note": record.get("note"),
        "verified_email": record.get("verifiedEmail", True),
        "phone": record.get("phone"),
        "tags": ", ".join(record.get("tags", [])),
        "admin_graphql_api_id": record["id"],
        "default_address": rest_address(record.get("defaultAddress")),
    }


def rest_order(store: Store, record: dict) -> dict:
    """An order record as a REST ``order`` object, with its ``customer`` and ``line_items`` embedded.

    Numeric ids, lower-case ``financial_status``, tags as one comma-separated string.
    """
    customer = store.get(record.get("_customer"), "Customer")
    line_items = [store.get(item_id) for item_id in record.get("_lineItems", [])]
    return {
        "id": int(gid_number(record["id"])),
        "admin_graphql_api_id": record["id"],
        "name": record.get("name"),
        "email": record.get("email"),
        "note": record.get("note"),
        "tags": ", ".join(record.get("tags", [])),
        "created_at": record.get("createdAt"),
        "updated_at": record.get("updatedAt"),
        "cancelled_at": record.get("cancelledAt"),
        "currency": record.get("currencyCode"),
        "total_price": record.get("_totalPrice"),
        "financial_status": str(record.get("displayFinancialStatus") or "").lower() or None,
        "shipping_address": rest_address(record.get("shippingAddress")),
        "billing_address": rest_address(record.get("billingAddress")),
        "customer": rest_customer(store, customer) if customer else None,
        "line_items": [
            {
                "id": int(gid_number(item["id"])),
                "admin_graphql_api_id": item["id"],
                "title": item.get("title"),
                "quantity": item.get("quantity"),
                "sku": item.get("sku"),
                "price": item.get("price"),
                "variant_id": int(gid_number(item["_variant"])) if item.get("_variant") else None,
                "product_id": int(gid_number(item["_product"])) if item.get("_product") else None,
            }
            for item in line_items
        ],
    }


RENDER = {"Order": rest_order, "Customer": rest_customer}


def _apply(store: Store, record: dict, attrs: dict) -> None:
    fields = {
        "email": "email",
        "note": "note",
        "first_name": "firstName",
        "last_name": "lastName",
        "phone": "phone",
    }
    for rest_name, name in fields.items():
        if rest_name in attrs and (name in record or record["__typename"] == "Customer"):
            record[name] = attrs[rest_name]
    if "tags" in attrs:
        tags = attrs["tags"]
        record["tags"] = store.split_tags(tags if isinstance(tags, list) else str(tags or ""))
    for rest_name, name in (("shipping_address", "shippingAddress"), ("billing_address", "billingAddress")):
        if isinstance(attrs.get(rest_name), dict) and record["__typename"] == "Order":
            record[name] = graphql_address(attrs[rest_name])
    for metafield in attrs.get("metafields") or []:
        store.set_metafield(record["id"], metafield)
    store.touch(record)


def handle_rest(store: Store, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
    """Answer a REST request for ``path`` (after ``/admin/api/<version>/``): ``(status, body)``."""
    match = re.fullmatch(r"(orders|customers)(?:/(\d+))?\.json", path)
    if match:
        return _resource(store, method, match.group(1), match.group(2), body)
    if path == "shop.json" and method == "GET":
        shop = store.shop
        return 200, {
            "shop": {
                "id": int(gid_number(shop["id"])),
                "name": shop.get("name"),
                "email": shop.get("email"),
                "myshopify_domain": shop.get("myshopifyDomain"),
                "currency": shop.get("currencyCode"),
                "iana_timezone": shop.get("ianaTimezone"),
            }
        }
    match = re.fullmatch(r"themes/(\d+)/assets\.json", path)
    if match:
        return _asset(store, method, match.group(1), query, body)
    return NOT_FOUND


def _resource(store: Store, method: str, plural: str, number: str | None, body: Any) -> tuple[int, Any]:
    typename, singular = RESOURCES[plural]
    render = RENDER[typename]
    with store.lock:
        if number is None:
            if method == "GET":
                return 200, {plural: [render(store, record) for record in store.of_type(typename)]}
            if method != "POST":
                return NOT_FOUND
            attrs = body.get(singular) if isinstance(body, dict) else None
            if not isinstance(attrs, dict):
                return 400, {"errors": {singular: "Required parameter missing or invalid"}}
            if typename == "Order":
                if not attrs.get("line_items"):
                    return 422, {"errors": {"line_items": ["must have at least one line item"]}}
                record = store.add_order(
                    {
                        "createdAt": store.now(),
                        "email": attrs.get("email"),
                        "lineItems": [
                            {"title": item.get("title", ""), "quantity": item.get("quantity", 1)}
                            for item in attrs["line_items"]
                        ],
                    }
                )
            else:
                record = store.add_customer({"email": attrs.get("email"), "createdAt": store.now()})
            _apply(store, record, attrs)
            store.record_changed(record, created=True)
            return 201, {singular: render(store, record)}
        record = store.get(gid(typename, number), typename)
        if record is None:
            return NOT_FOUND
        if method == "GET":
            return 200, {singular: render(store, record)}
        if method == "PUT":
            attrs = body.get(singular) if isinstance(body, dict) else None
            if not isinstance(attrs, dict):
                return 400, {"errors": {singular: "Required parameter missing or invalid"}}
            _apply(store, record, attrs)
            store.record_changed(record)
            return 200, {singular: render(store, record)}
        if method == "DELETE":
            del store.records[record["id"]]
            return 200, {}
    return NOT_FOUND


def _asset(store: Store, method: str, theme_id: str, query: dict, body: Any) -> tuple[int, Any]:
    assets = store.theme_assets
    if method == "PUT":
        attrs = body.get("asset") if isinstance(body, dict) else None
        if not isinstance(attrs, dict) or not attrs.get("key"):
            return 422, {"errors": {"asset": ["key can't be blank"]}}
        value = str(attrs.get("value", ""))
        stamp = store.now()
        asset = {
            "key": attrs["key"],
            "public_url": None,
            "created_at": assets.get((theme_id, attrs["key"]), {}).get("created_at", stamp),
            "updated_at": stamp,
            "content_type": "text/x-liquid" if attrs["key"].endswith(".liquid") else "text/plain",
            "size": len(value.encode()),
            "checksum": hashlib.md5(value.encode()).hexdigest(),  # noqa: S324 - Shopify's checksum is MD5
            "theme_id": int(theme_id),
            "value": value,
        }
        assets[(theme_id, attrs["key"])] = asset
        return 200, {"asset": {key: item for key, item in asset.items() if key != "value"}}
    if method == "GET":
        key = query.get("asset[key]")
        if key is None:
            listing = [
                {k: v for k, v in asset.items() if k != "value"}
                for (theme, _), asset in assets.items()
                if theme == theme_id
            ]
            return 200, {"assets": listing}
        asset = assets.get((theme_id, key))
        return (200, {"asset": asset}) if asset else NOT_FOUND
    return NOT_FOUND
