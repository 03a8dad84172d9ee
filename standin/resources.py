"""The stand-in's resources beyond the basics: derived fields and the mutations library tasks send.

Field resolvers here compute values Shopify derives (``Order.fullyPaid``, ``LineItem``
quantities, collection membership, publication state). The mutation handlers here register in
``MUTATIONS``; ``resolution.resolve_mutation`` finds the record a mutation names, runs its
handler and fills in the rest of the payload. Importing the module registers them all.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from standin.connections import connection
from standin.defaults import money, money_bag
from standin.records import resolve_variant_quantity
from standin.registry import MUTATIONS, mutation, resolves, store_of, user_error
from standin.store import Store, gid_type

# --- derived fields -----------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


@resolves("Order", "fullyPaid")
def resolve_fully_paid(record, _info):
    """``Order.fullyPaid``: whether ``displayFinancialStatus`` is ``PAID``."""
    return record.get("displayFinancialStatus") == "PAID"


@resolves("Order", "unpaid")
def resolve_unpaid(record, _info):
    """``Order.unpaid``: whether the financial status is ``PENDING``, ``AUTHORIZED`` or ``EXPIRED``."""
    return record.get("displayFinancialStatus") in ("PENDING", "AUTHORIZED", "EXPIRED")


@resolves("Order", "canMarkAsPaid", "capturable")
def resolve_can_pay(record, _info):
    """``Order.canMarkAsPaid`` and ``capturable``: financial status ``PENDING``, ``AUTHORIZED`` or
    ``PARTIALLY_PAID``.
    """
    return record.get("displayFinancialStatus") in ("PENDING", "AUTHORIZED", "PARTIALLY_PAID")


@resolves("Order", "closed")
def resolve_closed(record, _info):
    """``Order.closed``: whether the order has a ``closedAt``."""
    return record.get("closedAt") is not None


@resolves("Order", "number")
def resolve_order_number(record, _info):
    """``Order.number``: the digits of the order's ``name`` as an int (``#1001`` → 1001); 0 without any."""
    digits = "".join(ch for ch in str(record.get("name", "")) if ch.isdigit())
    return int(digits) if digits else 0


@resolves("Order", "presentmentCurrencyCode")
def resolve_presentment_currency(record, info):
    """``Order.presentmentCurrencyCode``: the order's ``currencyCode``, else the shop's (default ``USD``)."""
    return record.get("currencyCode") or store_of(info).shop.get("currencyCode", "USD")


@resolves(
    "Order",
    "currentTotalPriceSet",
    "currentSubtotalPriceSet",
    "originalTotalPriceSet",
    "totalReceivedSet",
    "netPaymentSet",
)
def resolve_order_current_total(record, info):
    """The order's current, original, received and net totals: all its ``_totalPrice`` (default
    ``0.00``) as a ``MoneyBag`` in the shop's currency.
    """
    return money_bag(store_of(info), record.get("_totalPrice", "0.00"))


@resolves("Order", "totalOutstandingSet", "totalCapturableSet")
def resolve_order_outstanding(record, info):
    """``Order.totalOutstandingSet``/``totalCapturableSet``: the ``_totalPrice`` while the order is
    ``PENDING``, ``AUTHORIZED`` or ``PARTIALLY_PAID``, else ``0.00``, as a ``MoneyBag``.
    """
    unpaid = record.get("displayFinancialStatus") in ("PENDING", "AUTHORIZED", "PARTIALLY_PAID")
    return money_bag(store_of(info), record.get("_totalPrice", "0.00") if unpaid else "0.00")


def _line_items(record: dict, store: Store) -> list[dict]:
    return [item for item in (store.get(item_id) for item_id in record.get("_lineItems", [])) if item]


@resolves("Order", "subtotalLineItemsQuantity", "currentSubtotalLineItemsQuantity")
def resolve_order_quantity(record, info):
    """``Order.subtotalLineItemsQuantity`` (and the current one): the sum of its lines' ``quantity``."""
    return sum(int(item.get("quantity", 0)) for item in _line_items(record, store_of(info)))


@resolves("LineItem", "currentQuantity", "refundableQuantity")
def resolve_current_quantity(record, _info):
    """``LineItem.currentQuantity``/``refundableQuantity``: the line's ``quantity`` (int, default 0)."""
    return int(record.get("quantity", 0))


@resolves("LineItem", "fulfillableQuantity", "unfulfilledQuantity")
def resolve_unfulfilled_quantity(record, _info):
    """``LineItem.fulfillableQuantity``/``unfulfilledQuantity``: ``quantity`` minus ``_fulfilled``."""
    return int(record.get("quantity", 0)) - int(record.get("_fulfilled", 0))


@resolves("LineItem", "requiresShipping", "taxable")
def resolve_line_item_flags(record, _info):
    """``LineItem.requiresShipping`` and ``taxable``: the record's ``requiresShipping`` (default true)."""
    return record.get("requiresShipping", True)


@resolves("LineItem", "discountedUnitPriceSet", "discountedUnitPriceAfterAllDiscountsSet")
def resolve_discounted_unit_price(record, info):
    """``LineItem`` discounted unit prices: the line's ``price`` as a ``MoneyBag`` (no discounts applied)."""
    return money_bag(store_of(info), record.get("price", "0.00"))


@resolves("LineItem", "originalTotalSet", "discountedTotalSet")
def resolve_line_total(record, info):
    """``LineItem.originalTotalSet``/``discountedTotalSet``: ``price`` × ``quantity`` as a ``MoneyBag``
    (two decimals; an unparseable price counts as 0).
    """
    total = _amount(record.get("price", "0.00")) * int(record.get("quantity", 0))
    return money_bag(store_of(info), f"{total:.2f}")


@resolves("LineItem", "variantTitle")
def resolve_variant_title(record, info):
    """``LineItem.variantTitle``: the title of the line's variant, or None without one."""
    variant = store_of(info).get(record.get("_variant"), "ProductVariant")
    return variant.get("title") if variant else None


@resolves("Shop", "contactEmail")
def resolve_contact_email(record, _info):
    """``Shop.contactEmail``: the shop's ``email`` (``""`` when unset)."""
    return record.get("email", "")


@resolves("Customer", "addresses")
def resolve_addresses(record, _info, **_args):
    """``Customer.addresses``: ``[defaultAddress]``, or ``[]`` without one; arguments are ignored."""
    return [record["defaultAddress"]] if record.get("defaultAddress") else []


@resolves("MailingAddress", "formatted")
def resolve_formatted_address(record, _info, withName=False, withCompany=False):  # noqa: N803
    """``MailingAddress.formatted``: the address as a list of non-empty lines.

    Name and company (when asked for), the street lines, ``city provinceCode zip``, the country.
    """
    lines = [record.get("name")] if withName else []
    if withCompany:
        lines.append(record.get("company"))
    lines += [record.get("address1"), record.get("address2")]
    lines.append(
        " ".join(part for part in (record.get("city"), record.get("provinceCode"), record.get("zip")) if part)
    )
    lines.append(record.get("country"))
    return [line for line in lines if line]


@resolves("ProductVariant", "selectedOptions")
def resolve_selected_options(record, _info):
    """``ProductVariant.selectedOptions``: the stored options, else ``[{name: Title, value: <title>}]``."""
    return record.get("selectedOptions") or [{"name": "Title", "value": record.get("title", "")}]


@resolves("ProductVariant", "availableForSale")
def resolve_available_for_sale(record, info):
    """``ProductVariant.availableForSale``: inventory policy ``CONTINUE`` or an available quantity above 0."""
    return record.get("inventoryPolicy") == "CONTINUE" or resolve_variant_quantity(record, info) > 0


@resolves("InventoryItem", "variants")
def resolve_item_variants(record, info, **args):
    """``InventoryItem.variants``: a connection over the item's one variant (empty without one)."""
    variant = store_of(info).get(record.get("_variant"))
    return connection([variant] if variant else [], info, **args)


@resolves("InventoryLevel", "available")
def resolve_level_available(record, _info):
    """``InventoryLevel.available``: the level's ``available`` quantity (int, default 0)."""
    return record["_quantities"].get("available", 0)


@resolves("Product", "tracksInventory")
def resolve_tracks_inventory(record, info):
    """``Product.tracksInventory``: whether any variant's inventory item is ``tracked``."""
    store = store_of(info)
    items = [store.get(store.get(variant_id)["_inventoryItem"]) for variant_id in record.get("_variants", [])]
    return any(item.get("tracked") for item in items if item)


@resolves("Product", "hasOnlyDefaultVariant")
def resolve_only_default_variant(record, info):
    """``Product.hasOnlyDefaultVariant``: exactly one variant, titled ``Default Title``."""
    variants = [store_of(info).get(variant_id) for variant_id in record.get("_variants", [])]
    return len(variants) == 1 and variants[0].get("title") == "Default Title"


def _collections_with(store: Store, product_id: str) -> list[dict]:
    return [record for record in store.of_type("Collection") if product_id in record.get("_products", [])]


@resolves("Product", "collections")
def resolve_product_collections(record, info, **args):
    """``Product.collections``: a connection over the collections whose members include the product."""
    return connection(_collections_with(store_of(info), record["id"]), info, **args)


@resolves("Product", "inCollection")
def resolve_in_collection(record, info, id):  # noqa: A002 - GraphQL argument name
    """``Product.inCollection(id)``: whether collection ``id`` exists and includes the product."""
    collection = store_of(info).get(id, "Collection")
    return bool(collection) and record["id"] in collection.get("_products", [])


@resolves("Collection", "hasProduct")
def resolve_has_product(record, _info, id):  # noqa: A002
    """``Collection.hasProduct(id)``: whether product gid ``id`` is a member."""
    return id in record.get("_products", [])


@resolves("Collection", "productsCount")
def resolve_products_count(record, _info):
    """``Collection.productsCount``: ``{"count": <members>, "precision": "EXACT"}``."""
    return {"count": len(record.get("_products", [])), "precision": "EXACT"}


@resolves("Product", "publishedOnPublication")
@resolves("Collection", "publishedOnPublication")
def resolve_published_on(record, _info, publicationId):  # noqa: N803
    """``publishedOnPublication(publicationId)`` of products and collections: whether published there."""
    return publicationId in record.get("_publications", [])


@resolves("Product", "variantsCount")
def resolve_variants_count(record, _info):
    """``Product.variantsCount``: ``{"count": <variants>, "precision": "EXACT"}``."""
    return {"count": len(record.get("_variants", [])), "precision": "EXACT"}


@resolves("Product", "hasOutOfStockVariants")
def resolve_has_out_of_stock_variants(record, info):
    """``Product.hasOutOfStockVariants``: whether a variant with tracked inventory has none available."""
    store = store_of(info)
    for variant_id in record.get("_variants", []):
        variant = store.get(variant_id)
        item = store.get(variant.get("_inventoryItem")) or {}
        if item.get("tracked") and resolve_variant_quantity(variant, info) <= 0:
            return True
    return False


@resolves("Fulfillment", "requiresShipping")
def resolve_fulfillment_requires_shipping(record, _info):
    """``Fulfillment.requiresShipping``: the record's ``requiresShipping`` (default true)."""
    return record.get("requiresShipping", True)


EVENT_TYPES = ("BasicEvent", "CommentEvent")


@resolves("Order", "events")
@resolves("Customer", "events")
@resolves("DraftOrder", "events")
@resolves("DiscountNode", "events")
@resolves("DiscountCodeNode", "events")
def resolve_subject_events(record, info, **args):
    """``events`` of a ``HasEvents`` record: a connection over the events whose ``_subject`` it is.

    Event searches (``action:create``, ``verb:create``) match the event's ``action``.
    """
    store = store_of(info)
    events = [
        event
        for typename in EVENT_TYPES
        for event in store.of_type(typename)
        if event.get("_subject") == record["id"]
    ]
    return connection(events, info, **args)


@resolves("BasicEvent", "subjectId")
def resolve_event_subject_id(record, _info):
    """``BasicEvent.subjectId``: the gid of the event's ``_subject``."""
    return record.get("_subject") or ""


@resolves("BasicEvent", "subjectType")
def resolve_event_subject_type(record, _info):
    """``BasicEvent.subjectType``: the subject's type in capitals (``DraftOrder`` → ``DRAFT_ORDER``)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", gid_type(record.get("_subject") or "") or "").upper()


@resolves("DiscountCustomerBuys", "items")
@resolves("DiscountCustomerGets", "items")
def resolve_discount_items(record, _info):
    """What a BXGY discount's buys/gets apply to: the stored ``items``, else every item."""
    return record.get("items") or {"__typename": "AllDiscountItems", "allItems": True}


@resolves("Market", "catalogsCount")
def resolve_market_catalogs_count(record, _info):
    """``Market.catalogsCount``: ``{"count": <catalogs>, "precision": "EXACT"}``."""
    return {"count": len(record.get("_catalogs", [])), "precision": "EXACT"}


@resolves("Publication", "productPublicationsV3")
def resolve_product_publications(record, info, **args):
    """``Publication.productPublicationsV3``: one published ``ResourcePublicationV2`` per product
    published on this publication."""
    store = store_of(info)
    items = [
        {
            "id": product["id"],
            "isPublished": True,
            "publishDate": product.get("publishedAt") or product.get("createdAt"),
            "publication": record,
            "publishable": product,
        }
        for product in store.of_type("Product")
        if record["id"] in product.get("_publications", [])
    ]
    return connection(items, info, **args)


# --- mutations -------------------------------------------------------------------------------------------


def _copy_fields(record: dict, data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in data and data[name] is not None:
            record[name] = data[name]


def _set_metafields(store: Store, owner_id: str, metafields: list | None) -> None:
    for metafield in metafields or []:
        if metafield.get("key") and metafield.get("value") is not None:
            store.set_metafield(owner_id, metafield)


@mutation("metafieldsDelete")
def delete_metafields(store: Store, _record, args: dict) -> dict:
    """``metafieldsDelete``: removes each ``{ownerId, namespace, key}``.

    ``deletedMetafields`` holds each identifier, or None where no such metafield existed.
    """
    deleted = []
    for identifier in args["metafields"]:
        existing = store.find_metafield(identifier["ownerId"], identifier["namespace"], identifier["key"])
        if existing is None:
            deleted.append(None)
            continue
        del store.records[existing["id"]]
        deleted.append(dict(identifier))
    return {"deletedMetafields": deleted}


def _level(store: Store, item: dict, location_id: str) -> dict:
    for level_id in item.get("_levels", []):
        level = store.get(level_id)
        if level and level["_location"] == location_id:
            return level
    level = store.add(
        {
            "__typename": "InventoryLevel",
            "id": f"{store.new_gid('InventoryLevel')}?inventory_item_id={item['legacyResourceId']}",
            "_item": item["id"],
            "_location": location_id,
            "_quantities": {"available": 0, "on_hand": 0, "committed": 0},
        }
    )
    item.setdefault("_levels", []).append(level["id"])
    return level


@mutation("inventoryAdjustQuantities")
def adjust_quantities(store: Store, _record, args: dict) -> dict:
    """``inventoryAdjustQuantities``: adds each change's ``delta`` to quantity ``input.name``.

    The item's level at the location is created when missing; ``available`` changes also move
    ``on_hand``. Returns an ``inventoryAdjustmentGroup`` with each quantity after its change. An
    unknown item or location answers an ``INVALID`` user error; changes before it stay applied.
    """
    data = args["input"]
    name = data["name"]
    changes = []
    for change in data["changes"]:
        item = store.get(change["inventoryItemId"], "InventoryItem")
        location = store.get(change["locationId"], "Location")
        if item is None or location is None:
            return {
                "userErrors": [
                    user_error(
                        ["input", "changes"],
                        "The specified inventory item or location could not be found.",
                        "INVALID",
                    )
                ]
            }
        quantities = _level(store, item, location["id"])["_quantities"]
        quantities[name] = quantities.get(name, 0) + change["delta"]
        if name == "available":
            quantities["on_hand"] = quantities.get("on_hand", 0) + change["delta"]
        changes.append(
            {
                "name": name,
                "delta": change["delta"],
                "quantityAfterChange": quantities[name],
                "_item": item["id"],
                "_location": location["id"],
            }
        )
    group = {
        "id": store.new_gid("InventoryAdjustmentGroup"),
        "reason": data["reason"],
        "createdAt": store.now(),
        "referenceDocumentUri": data.get("referenceDocumentUri"),
        "changes": changes,
    }
    return {"inventoryAdjustmentGroup": group}


@mutation("inventoryItemUpdate")
def update_inventory_item(store: Store, record: dict, args: dict) -> dict:
    """``inventoryItemUpdate``: copies tracking, shipping, origin and HS code fields from ``input``.

    ``cost`` becomes ``unitCost`` (None clears it); ``sku`` is set on the item's variant.
    """
    data = args["input"]
    _copy_fields(record, data, ("tracked", "requiresShipping", "countryCodeOfOrigin", "harmonizedSystemCode"))
    if "cost" in data:
        record["unitCost"] = money(store, data["cost"]) if data["cost"] is not None else None
    variant = store.get(record.get("_variant"))
    if variant is not None and "sku" in data:
        variant["sku"] = data["sku"]
    return {}


COLLECTION_FIELDS = ("title", "handle", "descriptionHtml", "sortOrder", "templateSuffix", "ruleSet", "seo")


@mutation("collectionCreate")
def create_collection(store: Store, _record, args: dict) -> dict:
    """``collectionCreate``: a collection from ``input``.

    The handle defaults to the lower-cased, hyphenated title; ``products`` become its members and
    ``metafields`` are set.
    """
    data = args["input"]
    record = store.add(
        {
            "__typename": "Collection",
            "id": store.new_gid("Collection"),
            "title": data.get("title") or "",
            "handle": (data.get("handle") or data.get("title") or "collection").lower().replace(" ", "-"),
            "sortOrder": "BEST_SELLING",
            "templateSuffix": None,
            "_products": list(data.get("products") or []),
            "_publications": [],
        }
    )
    _copy_fields(record, data, COLLECTION_FIELDS)
    _set_metafields(store, record["id"], data.get("metafields"))
    return {"collection": record}


@mutation("collectionUpdate")
def update_collection(store: Store, record: dict, args: dict) -> dict:
    """``collectionUpdate``: copies the given ``COLLECTION_FIELDS`` and sets ``metafields``."""
    data = args["input"]
    _copy_fields(record, data, COLLECTION_FIELDS)
    _set_metafields(store, record["id"], data.get("metafields"))
    return {}


@mutation("collectionAddProducts", "collectionAddProductsV2")
def add_collection_products(_store: Store, record: dict, args: dict) -> dict:
    """``collectionAddProducts``/``V2``: appends the ``productIds`` not yet members."""
    products = record.setdefault("_products", [])
    products.extend(product_id for product_id in args["productIds"] if product_id not in products)
    return {}


@mutation("collectionRemoveProducts")
def remove_collection_products(_store: Store, record: dict, args: dict) -> dict:
    """``collectionRemoveProducts``: drops ``productIds`` from the members."""
    record["_products"] = [item for item in record.get("_products", []) if item not in args["productIds"]]
    return {}


@mutation("collectionReorderProducts")
def reorder_collection_products(_store: Store, record: dict, args: dict) -> dict:
    """``collectionReorderProducts``: moves each member in ``moves`` to ``newPosition``.

    Positions are 0-based and clamped to the end; ids that are not members are skipped.
    """
    products = record.setdefault("_products", [])
    for move in args["moves"]:
        if move["id"] in products:
            products.remove(move["id"])
            products.insert(min(int(move["newPosition"]), len(products)), move["id"])
    return {}


PRODUCT_FIELDS = (
    "title",
    "handle",
    "descriptionHtml",
    "productType",
    "vendor",
    "status",
    "templateSuffix",
    "seo",
)


def _apply_product(store: Store, record: dict, data: dict) -> None:
    _copy_fields(record, data, PRODUCT_FIELDS)
    if data.get("tags") is not None:
        record["tags"] = store.split_tags(data["tags"])
    _set_metafields(store, record["id"], data.get("metafields"))
    for collection_id in data.get("collectionsToJoin") or []:
        collection = store.get(collection_id, "Collection")
        if collection is not None and record["id"] not in collection.setdefault("_products", []):
            collection["_products"].append(record["id"])
    for collection_id in data.get("collectionsToLeave") or []:
        collection = store.get(collection_id, "Collection")
        if collection is not None and record["id"] in collection.get("_products", []):
            collection["_products"].remove(record["id"])


@mutation("productCreate")
def create_product(store: Store, _record, args: dict) -> dict:
    """``productCreate``: a product with one default variant, from ``product`` (or legacy ``input``).

    Fields, tags and metafields are set and ``collectionsToJoin``/``collectionsToLeave`` applied.
    """
    data = args.get("product") or args.get("input") or {}
    record = store.add_product({"title": data.get("title") or "", "variants": [{}]})
    _apply_product(store, record, data)
    return {"product": record}


@mutation("productUpdate")
def update_product(store: Store, record: dict, args: dict) -> dict:
    """``productUpdate``: applies ``product`` (or ``input``) like ``create_product``; None skips a field."""
    _apply_product(store, record, args.get("product") or args.get("input") or {})
    return {}


@mutation("productDelete")
def delete_product(store: Store, record: dict, _args: dict) -> dict:
    """``productDelete``: removes the product and its variants.

    Returns ``deletedProductId`` and a ``COMPLETE`` ``productDeleteOperation``.
    """
    for variant_id in record.get("_variants", []):
        store.records.pop(variant_id, None)
    del store.records[record["id"]]
    return {
        "deletedProductId": record["id"],
        "productDeleteOperation": {
            "id": store.new_gid("ProductDeleteOperation"),
            "status": "COMPLETE",
            "deletedProductId": record["id"],
        },
        "product": None,
    }


VARIANT_FIELDS = ("price", "compareAtPrice", "barcode", "taxable", "inventoryPolicy")


@mutation("productVariantsBulkUpdate", "productVariantsBulkCreate")
def update_variants(store: Store, record: dict, args: dict) -> dict:
    """``productVariantsBulkUpdate``/``Create``: updates the variants ``variants`` name by ``id``.

    Entries without an ``id`` add a variant. ``VARIANT_FIELDS``, ``inventoryItem.sku`` and
    metafields are copied. An ``id`` that is not a variant of this product answers ``NOT_FOUND``
    with ``productVariants: null``; entries before it stay applied.
    """
    variants = []
    for data in args["variants"]:
        variant = store.get(data.get("id"), "ProductVariant") if data.get("id") else None
        if data.get("id") and (variant is None or variant["_product"] != record["id"]):
            message = f"Product variant {data['id']} does not exist"
            return {"productVariants": None, "userErrors": [user_error(["variants"], message, "NOT_FOUND")]}
        if variant is None:
            variant = store.add_variant(record, len(record.get("_variants", [])) + 1, {})
            record.setdefault("_variants", []).append(variant["id"])
        _copy_fields(variant, data, VARIANT_FIELDS)
        item_data = data.get("inventoryItem") or {}
        if "sku" in item_data:
            variant["sku"] = item_data["sku"]
        _set_metafields(store, variant["id"], data.get("metafields"))
        store.touch(variant)
        variants.append(variant)
    return {"productVariants": variants}


@mutation("productVariantsBulkDelete")
def delete_variants(store: Store, record: dict, args: dict) -> dict:
    """``productVariantsBulkDelete``: removes the ``variantsIds`` of this product; other ids are ignored."""
    for variant_id in args["variantsIds"]:
        if variant_id in record.get("_variants", []):
            record["_variants"].remove(variant_id)
            store.records.pop(variant_id, None)
    return {}


@mutation("publishablePublish", "publishableUnpublish")
def publish(store: Store, record: dict, args: dict) -> dict:
    """``publishablePublish``: adds each ``input[].publicationId`` to the record's publications.

    An unknown publication answers ``NOT_FOUND``; ones before it stay added.
    (``publishableUnpublish`` is handled by ``_unpublish``, registered after this.)
    """
    publications = record.setdefault("_publications", [])
    for entry in args["input"]:
        publication_id = entry.get("publicationId")
        if store.get(publication_id, "Publication") is None:
            return {
                "userErrors": [
                    user_error(["input", "publicationId"], "Publication does not exist", "NOT_FOUND")
                ]
            }
        if publication_id not in publications:
            publications.append(publication_id)
    return {}


def _unpublish(store: Store, record: dict, args: dict) -> dict:
    ids = {entry.get("publicationId") for entry in args["input"]}
    record["_publications"] = [item for item in record.get("_publications", []) if item not in ids]
    return {}


MUTATIONS["publishableUnpublish"] = _unpublish


@mutation("orderMarkAsPaid")
def mark_as_paid(_store: Store, record: dict, _args: dict) -> dict:
    """``orderMarkAsPaid``: sets the financial status to ``PAID``."""
    record["displayFinancialStatus"] = "PAID"
    return {}


@mutation("orderClose")
def close_order(store: Store, record: dict, _args: dict) -> dict:
    """``orderClose``: sets ``closedAt`` to now."""
    record["closedAt"] = store.now()
    return {}


@mutation("orderOpen")
def open_order(_store: Store, record: dict, _args: dict) -> dict:
    """``orderOpen``: clears ``closedAt``."""
    record["closedAt"] = None
    return {}


@mutation("orderCancel")
def cancel_order(store: Store, record: dict, args: dict) -> dict:
    """``orderCancel``: sets ``cancelledAt`` and ``cancelReason``.

    An order already cancelled answers ``INVALID`` in ``userErrors`` and ``orderCancelUserErrors``.
    """
    if record.get("cancelledAt"):
        error = user_error(["orderId"], "Cannot cancel an order that has already been cancelled", "INVALID")
        return {"userErrors": [error], "orderCancelUserErrors": [error]}
    record["cancelledAt"] = store.now()
    record["cancelReason"] = args["reason"]
    return {}


@mutation("orderCapture")
def capture(store: Store, record: dict, args: dict) -> dict:
    """``orderCapture``: adds a successful ``CAPTURE`` transaction and marks the order ``PAID``.

    The transaction holds ``input.amount`` under ``input.parentTransactionId``; an unknown parent
    answers ``NOT_FOUND``.
    """
    data = args["input"]
    parent = store.get(data["parentTransactionId"], "OrderTransaction")
    if parent is None:
        return {
            "userErrors": [
                user_error(["input", "parentTransactionId"], "Transaction does not exist", "NOT_FOUND")
            ]
        }
    transaction = store.add(
        {
            "__typename": "OrderTransaction",
            "id": store.new_gid("OrderTransaction"),
            "kind": "CAPTURE",
            "status": "SUCCESS",
            "gateway": parent.get("gateway"),
            "amountSet": money_bag(store, data["amount"]),
            "_parentTransaction": parent["id"],
        }
    )
    record.setdefault("_transactions", []).append(transaction["id"])
    record["displayFinancialStatus"] = "PAID"
    return {"transaction": transaction}


@mutation("orderEditBegin")
def begin_order_edit(store: Store, record: dict, _args: dict) -> dict:
    """``orderEditBegin``: a new, uncommitted ``CalculatedOrder`` of the order."""
    calculated = store.add(
        {
            "__typename": "CalculatedOrder",
            "id": store.new_gid("CalculatedOrder"),
            "committed": False,
            "_originalOrder": record["id"],
            "_addedLineItems": [],
        }
    )
    return {"calculatedOrder": calculated}


@mutation("orderEditAddVariant")
def add_variant_to_edit(store: Store, record: dict, args: dict) -> dict:
    """``orderEditAddVariant``: adds a ``CalculatedLineItem`` of ``variantId`` × ``quantity``.

    An unknown variant answers ``NOT_FOUND``.
    """
    variant = store.get(args["variantId"], "ProductVariant")
    if variant is None:
        return {"userErrors": [user_error(["variantId"], "Variant does not exist", "NOT_FOUND")]}
    line = store.add(
        {
            "__typename": "CalculatedLineItem",
            "id": store.new_gid("CalculatedLineItem"),
            "title": variant.get("title", ""),
            "sku": variant.get("sku"),
            "quantity": args["quantity"],
            "_variant": variant["id"],
        }
    )
    record.setdefault("_addedLineItems", []).append(line["id"])
    return {"calculatedLineItem": line}


@mutation("orderEditSetQuantity", "orderEditAddLineItemDiscount")
def change_edit_line(store: Store, record: dict, args: dict) -> dict:
    """``orderEditSetQuantity``/``orderEditAddLineItemDiscount``: sets the line's ``quantity`` if given.

    Discounts are accepted but not applied; an unknown line answers ``NOT_FOUND``.
    """
    line = store.get(args["lineItemId"])
    if line is None:
        return {"userErrors": [user_error(["lineItemId"], "Line item does not exist", "NOT_FOUND")]}
    if "quantity" in args:
        line["quantity"] = args["quantity"]
    return {"calculatedLineItem": line}


@mutation("orderEditCommit")
def commit_order_edit(store: Store, record: dict, _args: dict) -> dict:
    """``orderEditCommit``: marks the edit committed and adds its new lines to the original order.

    The added line items are priced ``0.00``.
    """
    record["committed"] = True
    order = store.get(record["_originalOrder"], "Order")
    for line_id in record.get("_addedLineItems", []):
        line = store.get(line_id)
        added = store.add(
            {
                "__typename": "LineItem",
                "id": store.new_gid("LineItem"),
                "title": line.get("title", ""),
                "name": line.get("title", ""),
                "sku": line.get("sku"),
                "quantity": line.get("quantity", 1),
                "price": "0.00",
                "_variant": line.get("_variant"),
                "_product": (store.get(line.get("_variant")) or {}).get("_product"),
            }
        )
        order["_lineItems"].append(added["id"])
    return {"order": order}


@mutation("customerCreate")
def create_customer(store: Store, _record, args: dict) -> dict:
    """``customerCreate``: a customer from ``input`` (email, names, phone, note, tags)."""
    data = args["input"]
    record = store.add_customer(
        {key: data[key] for key in ("email", "firstName", "lastName", "phone", "note") if key in data}
    )
    if data.get("tags") is not None:
        record["tags"] = store.split_tags(data["tags"])
    return {"customer": record}


@mutation("customerSendAccountInviteEmail")
def invite_customer(_store: Store, record: dict, _args: dict) -> dict:
    """``customerSendAccountInviteEmail``: a customer not ``ENABLED`` becomes ``INVITED``; no mail is sent."""
    if record.get("state") != "ENABLED":
        record["state"] = "INVITED"
    return {}


DRAFT_ORDER_FIELDS = ("email", "reserveInventoryUntil", "customAttributes", "poNumber")


@mutation("draftOrderCreate")
def create_draft_order(store: Store, _record, args: dict) -> dict:
    """``draftOrderCreate``: an ``OPEN`` draft order ``#D<n>`` from ``input``.

    It keeps the customer, tags and ``DRAFT_ORDER_FIELDS``; line items are not stored.
    """
    data = args["input"]
    record = store.add(
        {
            "__typename": "DraftOrder",
            "id": store.new_gid("DraftOrder"),
            "name": f"#D{len(store.of_type('DraftOrder')) + 1}",
            "status": "OPEN",
            "tags": store.split_tags(data.get("tags") or []),
            "_customer": data.get("customerId"),
        }
    )
    _copy_fields(record, data, DRAFT_ORDER_FIELDS)
    return {"draftOrder": record}


@mutation("draftOrderUpdate")
def update_draft_order(store: Store, record: dict, args: dict) -> dict:
    """``draftOrderUpdate``: copies ``DRAFT_ORDER_FIELDS`` and tags from ``input``."""
    data = args["input"]
    _copy_fields(record, data, DRAFT_ORDER_FIELDS)
    if data.get("tags") is not None:
        record["tags"] = store.split_tags(data["tags"])
    return {}


@mutation("draftOrderComplete")
def complete_draft_order(store: Store, record: dict, args: dict) -> dict:
    """``draftOrderComplete``: creates the draft's order and marks the draft ``COMPLETED``.

    The order is ``PENDING`` with ``paymentPending``, else ``PAID``; a completed draft answers
    ``INVALID``.
    """
    if record.get("status") == "COMPLETED":
        return {"userErrors": [user_error(["id"], "This order has already been paid.", "INVALID")]}
    order = store.add_order(
        {
            "email": record.get("email"),
            "customer": record.get("_customer"),
            "displayFinancialStatus": "PENDING" if args.get("paymentPending") else "PAID",
        }
    )
    record.update(status="COMPLETED", completedAt=store.now(), _order=order["id"])
    return {}


@mutation("draftOrderInvoiceSend")
def send_invoice(store: Store, record: dict, _args: dict) -> dict:
    """``draftOrderInvoiceSend``: marks the draft ``INVOICE_SENT``; no mail is sent."""
    record.update(status="INVOICE_SENT", invoiceSentAt=store.now())
    return {}


@mutation("fulfillmentCreate", "fulfillmentCreateV2")
def create_fulfillment(store: Store, _record, args: dict) -> dict:
    """``fulfillmentCreate``/``V2``: closes the fulfillment orders and records a fulfillment.

    The ``SUCCESS`` fulfillment (with ``trackingInfo``) goes to the first fulfillment order's
    order, whose lines all become fulfilled. An unknown fulfillment order answers ``NOT_FOUND``,
    a closed or cancelled one ``INVALID``; ones before it stay closed.
    """
    data = args["fulfillment"]
    orders = []
    for group in data["lineItemsByFulfillmentOrder"]:
        fulfillment_order = store.get(group["fulfillmentOrderId"], "FulfillmentOrder")
        if fulfillment_order is None:
            error = user_error(["fulfillment"], "Fulfillment order does not exist.", "NOT_FOUND")
            return {"userErrors": [error]}
        if fulfillment_order["status"] in ("CLOSED", "CANCELLED"):
            message = "Fulfillment order is not in an open state."
            return {"userErrors": [user_error(["fulfillment"], message, "INVALID")]}
        fulfillment_order["status"] = "CLOSED"
        orders.append(store.get(fulfillment_order["_order"], "Order"))
    order = orders[0]
    tracking = data.get("trackingInfo") or {}
    fulfillment = store.add(
        {
            "__typename": "Fulfillment",
            "id": store.new_gid("Fulfillment"),
            "name": f"{order.get('name')}.{len(order.get('_fulfillments', [])) + 1}",
            "status": "SUCCESS",
            "displayStatus": "FULFILLED",
            "trackingInfo": [
                {
                    "company": tracking.get("company"),
                    "number": tracking.get("number"),
                    "url": tracking.get("url"),
                }
            ]
            if tracking
            else [],
            "_order": order["id"],
        }
    )
    for item in _line_items(order, store):
        item["_fulfilled"] = item.get("quantity", 0)
    order.setdefault("_fulfillments", []).append(fulfillment["id"])
    order["displayFulfillmentStatus"] = "FULFILLED"
    return {"fulfillment": fulfillment}


@mutation("fulfillmentCancel")
def cancel_fulfillment(_store: Store, record: dict, _args: dict) -> dict:
    """``fulfillmentCancel``: marks the fulfillment cancelled."""
    record.update(status="CANCELLED", displayStatus="CANCELED")
    return {}


@mutation("fulfillmentTrackingInfoUpdate", "fulfillmentTrackingInfoUpdateV2")
def update_tracking(_store: Store, record: dict, args: dict) -> dict:
    """``fulfillmentTrackingInfoUpdate``/``V2``: replaces the tracking company, number and URL."""
    tracking = (
        args.get("trackingInfoInput")
        or (args.get("trackingInfoUpdateInput") or {}).get("trackingDetails")
        or {}
    )
    record["trackingInfo"] = [
        {"company": tracking.get("company"), "number": tracking.get("number"), "url": tracking.get("url")}
    ]
    return {}


@mutation("fulfillmentEventCreate")
def create_fulfillment_event(store: Store, record: dict, args: dict) -> dict:
    """``fulfillmentEventCreate``: adds an event and makes its ``status`` the display status.

    ``happenedAt`` defaults to now.
    """
    data = args["fulfillmentEvent"]
    event = store.add(
        {
            "__typename": "FulfillmentEvent",
            "id": store.new_gid("FulfillmentEvent"),
            "status": data["status"],
            "message": data.get("message"),
            "happenedAt": data.get("happenedAt") or store.now(),
        }
    )
    record["displayStatus"] = data["status"]
    return {"fulfillmentEvent": event}


@mutation("fulfillmentOrderMove")
def move_fulfillment_order(store: Store, record: dict, args: dict) -> dict:
    """``fulfillmentOrderMove``: assigns the fulfillment order to ``newLocationId``.

    The record is returned as both moved and original order; an unknown location answers
    ``NOT_FOUND``.
    """
    location = store.get(args["newLocationId"], "Location")
    if location is None:
        return {"userErrors": [user_error(["newLocationId"], "Location does not exist", "NOT_FOUND")]}
    record["assignedLocation"] = {"name": location["name"], "countryCode": "US", "_location": location["id"]}
    return {"movedFulfillmentOrder": record, "originalFulfillmentOrder": record}


@mutation("fulfillmentOrderHold")
def hold_fulfillment_order(_store: Store, record: dict, args: dict) -> dict:
    """``fulfillmentOrderHold``: status ``ON_HOLD`` with one hold (``reason``, default ``OTHER``)."""
    record["status"] = "ON_HOLD"
    hold = args.get("fulfillmentHold") or {}
    record["fulfillmentHolds"] = [
        {"reason": hold.get("reason", "OTHER"), "reasonNotes": hold.get("reasonNotes")}
    ]
    return {}


@mutation("fulfillmentOrderReleaseHold")
def release_fulfillment_order(_store: Store, record: dict, _args: dict) -> dict:
    """``fulfillmentOrderReleaseHold``: status ``OPEN``, holds cleared."""
    record.update(status="OPEN", fulfillmentHolds=[])
    return {}


@mutation("returnApproveRequest")
def approve_return(_store: Store, record: dict, _args: dict) -> dict:
    """``returnApproveRequest``: the return's status becomes ``OPEN``."""
    record["status"] = "OPEN"
    return {}


@mutation("returnDeclineRequest")
def decline_return(_store: Store, record: dict, _args: dict) -> dict:
    """``returnDeclineRequest``: the return's status becomes ``DECLINED``."""
    record["status"] = "DECLINED"
    return {}


@mutation("fileCreate")
def create_files(store: Store, _record, args: dict) -> dict:
    """``fileCreate``: an ``UPLOADED`` ``GenericFile`` per ``files[].originalSource`` (never fetched)."""
    files = [
        store.add(
            {
                "__typename": "GenericFile",
                "id": store.new_gid("GenericFile"),
                "url": item["originalSource"],
                "fileStatus": "UPLOADED",
            }
        )
        for item in args["files"]
    ]
    return {"files": files}


@mutation("discountCodeBasicCreate")
def create_discount_code(store: Store, _record, args: dict) -> dict:
    """``discountCodeBasicCreate``: an ``ACTIVE`` ``DiscountCodeNode`` with one redeem code.

    Code, title, start and end dates and usage limit come from ``basicCodeDiscount``.
    """
    data = args["basicCodeDiscount"] if isinstance(args["basicCodeDiscount"], dict) else {}
    code = {
        "id": store.new_gid("DiscountRedeemCode"),
        "code": str(data.get("code") or ""),
        "asyncUsageCount": 0,
    }
    discount = {
        "__typename": "DiscountCodeBasic",
        "title": str(data.get("title") or data.get("code") or ""),
        "status": "ACTIVE",
        "startsAt": data.get("startsAt") or store.now(),
        "endsAt": data.get("endsAt"),
        "usageLimit": data.get("usageLimit"),
        "codes": {
            "edges": [{"cursor": "", "node": code}],
            "nodes": [code],
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
        },
    }
    node = store.add(
        {"__typename": "DiscountCodeNode", "id": store.new_gid("DiscountCodeNode"), "codeDiscount": discount}
    )
    return {"codeDiscountNode": node}
