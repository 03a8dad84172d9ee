"""The stand-in's in-memory shop: records by gid, the cost bucket, bulk operations, staged uploads.

Records are dicts in Admin GraphQL shape (camelCase fields, ``__typename``);
relations are kept as gids under keys starting with ``_`` (``_customer``,
``_product``, ``_owner``...), which no GraphQL field reads. Everything is
guarded by one lock: the server is threaded, tests read the state directly.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_SEED = Path(__file__).resolve().parent / "seeds" / "default.json"
TERMINAL_BULK_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
SEED_TIMESTAMP = "2026-01-01T00:00:00Z"


def gid(typename: str, number: int | str) -> str:
    """``gid://shopify/<Type>/<digits>``."""
    return f"gid://shopify/{typename}/{number}"


def gid_type(value: str) -> str | None:
    """``Order`` for ``gid://shopify/Order/1``; None for anything else."""
    parts = str(value).split("/")
    if len(parts) == 5 and parts[:3] == ["gid:", "", "shopify"] and parts[4]:
        return parts[3]
    return None


def gid_number(value: str) -> str:
    """The trailing digits of a gid (its REST id), without any ``?query``."""
    return str(value).rsplit("/", 1)[-1].split("?", 1)[0]


@dataclass
class Bucket:
    """Shopify's GraphQL cost bucket: points that refill at ``restore_rate`` per second up to ``maximum``.

    ``clock`` (seconds, monotonic) is injectable so tests can move time
    together with the client's fake sleep.
    """

    maximum: float = 2000.0
    available: float = 2000.0
    restore_rate: float = 100.0
    clock: Callable[[], float] = time.monotonic
    updated: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.updated = self.clock()

    def refresh(self) -> None:
        """Add the points restored since the last refresh (``restore_rate`` a second, up to ``maximum``)."""
        now = self.clock()
        self.available = min(self.maximum, self.available + max(0.0, now - self.updated) * self.restore_rate)
        self.updated = now

    def status(self) -> dict:
        """``throttleStatus`` as Shopify writes it (``currentlyAvailable`` is an integer)."""
        return {
            "maximumAvailable": float(self.maximum),
            "currentlyAvailable": int(self.available),
            "restoreRate": float(self.restore_rate),
        }


# The webhook topics of a created and of a changed record, by type.
CHANGE_TOPICS = {
    "Order": ("orders/create", "orders/updated"),
    "Customer": ("customers/create", "customers/update"),
    "Product": ("products/create", "products/update"),
}


class Store:
    """The data one stand-in serves. ``seed`` is a fixture dict (see ``seeds/default.json``)."""

    def __init__(self, seed: dict | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.records: dict[str, dict] = {}
        self.shop: dict = {}
        self.bucket = Bucket(clock=clock)
        self.rest_used = 0.0
        self.rest_limit = 40
        self.rest_updated = clock()
        self.tokens: set[str] = set()
        self.staged_uploads: dict[str, bytes] = {}
        self.theme_assets: dict[tuple[str, str], dict] = {}
        self.requests: list[dict] = []
        # Every GraphQL answer that carried ``errors``: ``{"query", "variables", "errors"}``.
        self.graphql_errors: list[dict] = []
        self.base_url = "http://127.0.0.1"
        # How many reads of a running bulk operation (node/currentBulkOperation) it takes to finish.
        self.bulk_reads_to_complete = 1
        self.bulk_finish_listeners: list[Callable[[dict], None]] = []
        # Told of every created or changed order, customer and product (``changed``).
        self.change_listeners: list[Callable[[str, dict], object]] = []
        self._next_number = 9_000_000_000_000
        if seed is not None:
            self.load(seed)

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_SEED, **kwargs: Any) -> Store:
        """A store seeded from a fixture file (JSON)."""
        return cls(json.loads(Path(path).read_text()), **kwargs)

    # --- basics

    def now(self) -> str:
        """The current UTC time as Shopify writes it (``2026-01-01T00:00:00Z``, whole seconds)."""
        return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    def new_number(self) -> int:
        """A number no record has used yet (for gids, staged upload keys)."""
        with self.lock:
            self._next_number += 1
            return self._next_number

    def new_gid(self, typename: str) -> str:
        """A fresh ``gid://shopify/<typename>/<number>``."""
        return gid(typename, self.new_number())

    def add(self, record: dict) -> dict:
        """Store ``record`` (it must carry ``id`` and ``__typename``) and return it."""
        with self.lock:
            record.setdefault("legacyResourceId", gid_number(record["id"]))
            record.setdefault("createdAt", SEED_TIMESTAMP)
            record.setdefault("updatedAt", record["createdAt"])
            self.records[record["id"]] = record
            return record

    def get(self, record_id: Any, typename: str | None = None) -> dict | None:
        """The record with gid ``record_id`` (of ``typename`` when given), or None."""
        record = self.records.get(str(record_id))
        if record is None or (typename and record["__typename"] != typename):
            return None
        return record

    def of_type(self, typename: str) -> list[dict]:
        """Every record of ``typename``, in insertion order."""
        return [record for record in self.records.values() if record["__typename"] == typename]

    def changed(self, topic: str, record: dict) -> None:
        """Tell the change listeners (webhook deliveries) that ``record`` changed as ``topic``
        (``orders/create``, ``customers/update``...) says."""
        for listener in self.change_listeners:
            listener(topic, record)

    def record_changed(self, record: dict, *, created: bool = False) -> None:
        """``changed`` with the topic of ``record``'s type (``CHANGE_TOPICS``); records of other
        types change silently."""
        topics = CHANGE_TOPICS.get(record.get("__typename", ""))
        if topics is not None:
            self.changed(topics[0] if created else topics[1], record)

    def touch(self, record: dict) -> None:
        """Set ``record``'s ``updatedAt`` to now."""
        record["updatedAt"] = self.now()

    def snapshot(self) -> dict[str, dict]:
        """A deep copy of every record, for assertions."""
        with self.lock:
            return copy.deepcopy(self.records)

    def set_bucket(
        self,
        *,
        currently_available: float | None = None,
        maximum_available: float | None = None,
        restore_rate: float | None = None,
    ) -> None:
        """Test hook: set the GraphQL cost bucket (points; points per second)."""
        with self.lock:
            self.bucket.refresh()
            if maximum_available is not None:
                self.bucket.maximum = float(maximum_available)
            if restore_rate is not None:
                self.bucket.restore_rate = float(restore_rate)
            if currently_available is not None:
                self.bucket.available = float(currently_available)
            self.bucket.updated = self.clock()

    # --- seeding

    def load(self, seed: dict) -> None:
        """Add the shop, locations, customers, products, orders and metafields of a fixture."""
        with self.lock:
            self.shop = {"__typename": "Shop", **seed.get("shop", {})}
            self.shop.setdefault("id", gid("Shop", 1))
            self.records[self.shop["id"]] = self.shop
            for location in seed.get("locations", []):
                self.add({"__typename": "Location", "isActive": True, **location})
            for customer in seed.get("customers", []):
                self.add_customer(customer)
            for product in seed.get("products", []):
                self.add_product(product)
            for order in seed.get("orders", []):
                self.add_order(order)
            for order in seed.get("recent_orders", []):
                self.add_order(self.dated(order))
            for record in seed.get("records", []):
                dated = "daysAgo" in record or "hoursAgo" in record
                self.add(self.dated(record, processed=False) if dated else dict(record))
            for metafield in seed.get("metafields", []):
                owner = metafield["owner"]
                self.set_metafield(owner, {key: value for key, value in metafield.items() if key != "owner"})
            self.tokens.update(seed.get("access_tokens", []))

    def dated(self, data: dict, *, processed: bool = True) -> dict:
        """``data`` with ``daysAgo``/``hoursAgo`` turned into ``createdAt`` (and ``processedAt``
        unless ``processed`` is false) before now (seed load time), so date-window searches always
        find recent records."""
        data = dict(data)
        ago = timedelta(days=data.pop("daysAgo", 0), hours=data.pop("hoursAgo", 0))
        stamp = (datetime.now(UTC) - ago).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        data.setdefault("createdAt", stamp)
        if processed:
            data.setdefault("processedAt", stamp)
        if data.get("closed"):
            data["closedAt"] = data.pop("closed") and stamp
        return data

    def add_customer(self, data: dict) -> dict:
        """Add a customer from seed-shaped ``data`` (an ``amountSpent`` string is kept aside); returns it."""
        record = {
            "__typename": "Customer",
            "email": None,
            "firstName": None,
            "lastName": None,
            "phone": None,
            "note": None,
            "state": "DISABLED",
            "tags": [],
            "verifiedEmail": True,
            "defaultAddress": None,
            **{key: value for key, value in data.items() if key != "amountSpent"},
        }
        record["_amountSpent"] = str(data.get("amountSpent", "0.00"))
        if "id" not in record:
            record["id"] = self.new_gid("Customer")
        return self.add(record)

    def add_product(self, data: dict) -> dict:
        """Add a product and its ``variants`` (see ``add_variant``) from seed-shaped ``data``; returns it."""
        variants = data.get("variants", [])
        record = {
            "__typename": "Product",
            "handle": data.get("title", "product").lower().replace(" ", "-"),
            "vendor": "",
            "productType": "",
            "status": "ACTIVE",
            "tags": [],
            "templateSuffix": None,
            **{key: value for key, value in data.items() if key != "variants"},
        }
        if "id" not in record:
            record["id"] = self.new_gid("Product")
        self.add(record)
        record["_variants"] = []
        for position, variant in enumerate(variants, start=1):
            record["_variants"].append(self.add_variant(record, position, variant)["id"])
        return record

    def add_variant(self, product: dict, position: int, data: dict) -> dict:
        """Add a variant of ``product`` at ``position`` (1-based) with its inventory item and levels.

        ``data["inventoryItem"]`` may hold ``tracked`` and ``levels`` (``location`` gid and
        ``available``/``on_hand``/``committed`` quantities); returns the variant.
        """
        item_data = data.get("inventoryItem", {})
        record = {
            "__typename": "ProductVariant",
            "title": "Default Title",
            "sku": None,
            "barcode": None,
            "price": "0.00",
            "compareAtPrice": None,
            "position": position,
            "inventoryPolicy": "DENY",
            **{key: value for key, value in data.items() if key != "inventoryItem"},
            "_product": product["id"],
        }
        if "id" not in record:
            record["id"] = self.new_gid("ProductVariant")
        self.add(record)
        item = self.add(
            {
                "__typename": "InventoryItem",
                "id": item_data.get("id") or self.new_gid("InventoryItem"),
                "tracked": item_data.get("tracked", True),
                "_variant": record["id"],
            }
        )
        record["_inventoryItem"] = item["id"]
        item["_levels"] = []
        for level in item_data.get("levels", []):
            quantities = {name: int(level.get(name, 0)) for name in ("available", "on_hand", "committed")}
            quantities.setdefault("on_hand", quantities["available"])
            item["_levels"].append(
                self.add(
                    {
                        "__typename": "InventoryLevel",
                        "id": level.get("id")
                        or f"gid://shopify/InventoryLevel/{gid_number(item['id'])}?inventory_item_id="
                        f"{gid_number(item['id'])}&location_id={gid_number(level['location'])}",
                        "_item": item["id"],
                        "_location": level["location"],
                        "_quantities": quantities,
                    }
                )["id"]
            )
        return record

    def add_order(self, data: dict) -> dict:
        """Add an order from seed-shaped ``data``; returns it.

        ``lineItems`` become line item records (``variant``/``product`` gids as relations),
        ``customer`` and ``totalPrice`` are kept as relations; a transaction and a fulfillment
        order are added beside it (``_add_order_children``).
        """
        line_items = data.get("lineItems", [])
        record = {
            "__typename": "Order",
            "email": None,
            "phone": None,
            "note": None,
            "tags": [],
            "test": False,
            "cancelledAt": None,
            "closedAt": None,
            "displayFinancialStatus": "PAID",
            "displayFulfillmentStatus": "UNFULFILLED",
            "currencyCode": self.shop.get("currencyCode", "USD"),
            "shippingAddress": None,
            "billingAddress": None,
            **{
                key: value
                for key, value in data.items()
                if key not in ("lineItems", "customer", "totalPrice")
            },
        }
        if "id" not in record:
            record["id"] = self.new_gid("Order")
        record.setdefault("name", f"#{1000 + len(self.of_type('Order')) + 1}")
        record.setdefault("processedAt", record.get("createdAt", SEED_TIMESTAMP))
        record["_customer"] = data.get("customer")
        record["_totalPrice"] = str(data.get("totalPrice", "0.00"))
        self.add(record)
        record["_lineItems"] = []
        for item in line_items:
            line = {
                "__typename": "LineItem",
                "quantity": 1,
                "sku": None,
                "vendor": None,
                "price": "0.00",
                **{key: value for key, value in item.items() if key not in ("variant", "product")},
            }
            line.setdefault("id", self.new_gid("LineItem"))
            line.setdefault("name", line.get("title", ""))
            line["_variant"] = item.get("variant")
            variant = self.get(item.get("variant"), "ProductVariant")
            line["_product"] = item.get("product") or (variant or {}).get("_product")
            record["_lineItems"].append(self.add(line)["id"])
        self._add_order_children(record, data)
        return record

    def _add_order_children(self, order: dict, data: dict) -> None:
        """What Shopify keeps beside an order: its payment transaction and, unless it is
        fulfilled, one open fulfillment order at the first location covering every line item."""
        status = order["displayFinancialStatus"]
        transaction = self.add(
            {
                "__typename": "OrderTransaction",
                "id": self.new_gid("OrderTransaction"),
                "kind": "AUTHORIZATION" if status in ("AUTHORIZED", "PENDING") else "SALE",
                "status": "SUCCESS",
                "gateway": data.get("gateway", "bogus"),
                "formattedGateway": data.get("gateway", "Bogus"),
                "test": order["test"],
                "createdAt": order["processedAt"],
                "processedAt": order["processedAt"],
                "amountSet": self.money_bag(order["_totalPrice"]),
                "totalUnsettledSet": self.money_bag(
                    order["_totalPrice"] if status == "AUTHORIZED" else "0.00"
                ),
                "parentTransaction": None,
            }
        )
        order["_transactions"] = [transaction["id"]]
        order.setdefault("_fulfillments", [])
        locations = self.of_type("Location")
        if order["displayFulfillmentStatus"] == "FULFILLED" or not locations or not order["_lineItems"]:
            order["_fulfillmentOrders"] = []
            return
        fulfillment_order = self.add(
            {
                "__typename": "FulfillmentOrder",
                "id": self.new_gid("FulfillmentOrder"),
                "status": "OPEN",
                "requestStatus": "UNSUBMITTED",
                "createdAt": order["createdAt"],
                "orderId": order["id"],
                "orderName": order["name"],
                "assignedLocation": {
                    "name": locations[0]["name"],
                    "countryCode": self.shop.get("countryCode", "US"),
                    "_location": locations[0]["id"],
                },
                "destination": order.get("shippingAddress"),
                "deliveryMethod": {"id": self.new_gid("DeliveryMethod"), "methodType": "SHIPPING"},
                "fulfillmentHolds": [],
                "supportedActions": [
                    {"action": "CREATE_FULFILLMENT"},
                    {"action": "MOVE"},
                    {"action": "HOLD"},
                ],
                "_order": order["id"],
                "_lineItems": [],
            }
        )
        for line_id in order["_lineItems"]:
            line = self.get(line_id)
            variant = self.get(line.get("_variant"), "ProductVariant")
            fulfillment_order["_lineItems"].append(
                self.add(
                    {
                        "__typename": "FulfillmentOrderLineItem",
                        "id": self.new_gid("FulfillmentOrderLineItem"),
                        "totalQuantity": line["quantity"],
                        "remainingQuantity": line["quantity"],
                        "sku": line.get("sku"),
                        "productTitle": line.get("title", ""),
                        "variantTitle": (variant or {}).get("title"),
                        "inventoryItemId": (variant or {}).get("_inventoryItem"),
                        "requiresShipping": True,
                        "_lineItem": line_id,
                        "_variant": line.get("_variant"),
                    }
                )["id"]
            )
        order["_fulfillmentOrders"] = [fulfillment_order["id"]]

    def money_bag(self, amount: str) -> dict:
        """A ``MoneyBag`` of ``amount`` in the shop's currency."""
        money = {"amount": str(amount), "currencyCode": self.shop.get("currencyCode", "USD")}
        return {"shopMoney": money, "presentmentMoney": dict(money)}

    # --- tags and metafields

    @staticmethod
    def split_tags(values: Iterable[str] | str) -> list[str]:
        """Tags from a list of strings, each of which may hold several comma-separated tags."""
        if isinstance(values, str):
            values = [values]
        return [tag.strip() for value in values for tag in str(value).split(",") if tag.strip()]

    def add_tags(self, record: dict, tags: Iterable[str] | str) -> None:
        """Append the ``tags`` ``record`` does not carry yet (compared case-insensitively)."""
        existing = {tag.lower() for tag in record["tags"]}
        for tag in self.split_tags(tags):
            if tag.lower() not in existing:
                record["tags"].append(tag)
                existing.add(tag.lower())
        self.touch(record)

    def remove_tags(self, record: dict, tags: Iterable[str] | str) -> None:
        """Drop ``tags`` from ``record`` (compared case-insensitively)."""
        removed = {tag.lower() for tag in self.split_tags(tags)}
        record["tags"] = [tag for tag in record["tags"] if tag.lower() not in removed]
        self.touch(record)

    def metafields_of(self, owner_id: str) -> list[dict]:
        """Every metafield of the record with gid ``owner_id``."""
        return [record for record in self.of_type("Metafield") if record["_owner"] == owner_id]

    def find_metafield(self, owner_id: str, namespace: str, key: str) -> dict | None:
        """The metafield ``namespace.key`` of ``owner_id``, or None."""
        return next(
            (
                record
                for record in self.metafields_of(owner_id)
                if record["namespace"] == namespace and record["key"] == key
            ),
            None,
        )

    def set_metafield(self, owner_id: str, data: dict) -> dict:
        """Create or update the metafield ``(namespace, key)`` of ``owner_id``."""
        with self.lock:
            namespace = data.get("namespace") or "$app"
            existing = self.find_metafield(owner_id, namespace, data["key"])
            if existing is not None:
                existing["value"] = str(data["value"])
                if data.get("type"):
                    existing["type"] = data["type"]
                self.touch(existing)
                return existing
            stamp = self.now()
            return self.add(
                {
                    "__typename": "Metafield",
                    "id": data.get("id") or self.new_gid("Metafield"),
                    "namespace": namespace,
                    "key": data["key"],
                    "value": str(data["value"]),
                    "type": data.get("type") or "single_line_text_field",
                    "createdAt": data.get("createdAt", stamp),
                    "_owner": owner_id,
                }
            )

    # --- bulk operations

    def running_bulk_operations(self, kind: str) -> list[dict]:
        """The bulk operations of ``kind`` (``QUERY``/``MUTATION``) that have not finished."""
        return [
            record
            for record in self.of_type("BulkOperation")
            if record["type"] == kind and record["status"] not in TERMINAL_BULK_STATUSES
        ]

    def observe_bulk_operation(self, operation: dict) -> None:
        """A read of a running operation moves it on; after ``bulk_reads_to_complete`` reads it finishes."""
        with self.lock:
            if operation["status"] in TERMINAL_BULK_STATUSES:
                return
            operation["_reads_left"] -= 1
            if operation["_reads_left"] <= 0:
                if operation.get("_error_code"):
                    self.finish_bulk_operation(operation["id"], "FAILED", operation["_error_code"])
                else:
                    self.finish_bulk_operation(operation["id"])
            else:
                operation["status"] = "RUNNING"

    def finish_bulk_operation(
        self, operation_id: str, status: str = "COMPLETED", error_code: str | None = None
    ) -> dict:
        """Test hook: end a bulk operation now; a completed one gets its result file.

        Returns the operation; raises ``KeyError`` when there is no bulk operation ``operation_id``.
        """
        with self.lock:
            operation = self.get(operation_id, "BulkOperation")
            if operation is None:
                raise KeyError(operation_id)
            lines = operation["_lines"] if status == "COMPLETED" else []
            body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
            operation["_file"] = body.encode()
            operation.update(
                status=status,
                errorCode=error_code,
                completedAt=self.now(),
                objectCount=str(len(lines)),
                rootObjectCount=str(sum(1 for line in lines if "__parentId" not in line)),
                fileSize=str(len(operation["_file"])) if lines else None,
                url=f"{self.base_url}/bulk-results/{gid_number(operation_id)}.jsonl" if lines else None,
                partialDataUrl=None,
            )
        for listener in list(self.bulk_finish_listeners):
            listener(operation)
        return operation

    def bulk_file(self, number: str) -> bytes | None:
        """The JSONL result of completed bulk operation ``number``, or None."""
        operation = self.get(gid("BulkOperation", number), "BulkOperation")
        if operation is None or operation["status"] != "COMPLETED":
            return None
        return operation.get("_file")

    # --- the REST leaky bucket

    def rest_call(self) -> tuple[bool, str]:
        """Count one REST call; returns (allowed, ``X-Shopify-Shop-Api-Call-Limit`` value)."""
        with self.lock:
            now = self.clock()
            self.rest_used = max(0.0, self.rest_used - 2.0 * (now - self.rest_updated))
            self.rest_updated = now
            if self.rest_used + 1 > self.rest_limit:
                return False, f"{int(self.rest_used)}/{self.rest_limit}"
            self.rest_used += 1
            return True, f"{int(round(self.rest_used))}/{self.rest_limit}"
