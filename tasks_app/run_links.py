"""Run links (spec/platform.md §6.7): a signed-in person starts task runs for Shopify resources picked in
the Shopify admin, ``/app/tasks/run?resource_type=order&ids[]=1&ids[]=2``.

Resource types and their topics: ``customer``, ``order``, ``draft_order``, ``product``, ``variant``
(``mechanic/user/<type>`` one resource per event, ``mechanic/user/<type>s`` all of them in one event)
and ``collection`` (individual only). At most 50 integer ids. The resources are read from Shopify
when the run is submitted (REST, so an order comes with its customer); since 2025-02-01 products
and variants carry only ``id`` and ``admin_graphql_api_id``. Events target the picked tasks only;
user form inputs go to the event's ``input``.
"""

from dataclasses import dataclass
from typing import Any

from events.models import Event
from integrations.models import Shop
from integrations.shopify.client import ShopifyClient
from tasks_app.models import Task

MAX_IDS = 50
INDIVIDUAL, BATCH = "individual", "batch"


class RunLinkError(ValueError):
    """A run link or submission Hub refuses; the text names the parameter and what is wrong."""


@dataclass(frozen=True)
class ResourceType:
    """One resource type of a run link: its topics, and where Shopify's REST API serves one."""

    name: str
    plural: str | None  # the batch topic's subject; None: no batch mode
    rest_path: str | None  # "orders/{id}.json"; None: the data is only the ids
    gid_type: str

    @property
    def singular_topic(self) -> str:
        return f"mechanic/user/{self.name}"

    @property
    def batch_topic(self) -> str | None:
        return f"mechanic/user/{self.plural}" if self.plural else None

    def topic(self, mode: str) -> str:
        """The topic of ``mode`` (individual or batch); raises ``RunLinkError`` for batch without one."""
        if mode == BATCH:
            if self.batch_topic is None:
                raise RunLinkError(f"mode: {self.name} resources run one at a time (no batch topic)")
            return self.batch_topic
        return self.singular_topic


RESOURCE_TYPES = {
    kind.name: kind
    for kind in (
        ResourceType("customer", "customers", "customers/{id}.json", "Customer"),
        ResourceType("order", "orders", "orders/{id}.json", "Order"),
        ResourceType("draft_order", "draft_orders", "draft_orders/{id}.json", "DraftOrder"),
        ResourceType("product", "products", None, "Product"),
        ResourceType("variant", "variants", None, "ProductVariant"),
        ResourceType("collection", None, "collections/{id}.json", "Collection"),
    )
}


def parse_link(resource_type: str | None, ids: list[str]) -> tuple[ResourceType, list[int]]:
    """The resource type and ids of a run link; raises ``RunLinkError`` naming the parameter."""
    kind = RESOURCE_TYPES.get(resource_type or "")
    if kind is None:
        raise RunLinkError(
            f"resource_type: expected one of {', '.join(RESOURCE_TYPES)}, got {resource_type!r}"
        )
    if not ids:
        raise RunLinkError("ids[]: no resource ids given")
    if len(ids) > MAX_IDS:
        raise RunLinkError(f"ids[]: at most {MAX_IDS} resources per run, got {len(ids)}")
    numbers = []
    for value in ids:
        if not value.strip().isdigit():
            raise RunLinkError(f"ids[]: {value!r} is not a numeric Shopify id")
        numbers.append(int(value))
    return kind, list(dict.fromkeys(numbers))


def compatible_tasks(shop: Shop, kind: ResourceType) -> list[Task]:
    """The shop's enabled tasks subscribing to the type's singular or batch topic, by name."""
    topics = [topic for topic in (kind.singular_topic, kind.batch_topic) if topic]
    tasks = Task.objects.filter(shop=shop, enabled=True).order_by("name")
    return [task for task in tasks if any(task.subscribes_to(topic) for topic in topics)]


def check_tasks(tasks: list[Task], kind: ResourceType, mode: str) -> str:
    """The topic the run uses; raises ``RunLinkError`` when a picked task does not subscribe to it."""
    topic = kind.topic(mode)
    if not tasks:
        raise RunLinkError("tasks: pick at least one task")
    for task in tasks:
        if not task.subscribes_to(topic):
            raise RunLinkError(f"tasks: {task.name} does not subscribe to {topic}; pick the other mode")
    return topic


def fetch_resources(shop: Shop, kind: ResourceType, ids: list[int]) -> list[dict[str, Any]]:
    """Each resource as Shopify's REST API gives it now, in ``ids`` order (products and variants:
    only ``id`` and ``admin_graphql_api_id``). Raises the client's ``ShopifyError`` on a failure."""
    if kind.rest_path is None:
        return [
            {"id": number, "admin_graphql_api_id": f"gid://shopify/{kind.gid_type}/{number}"}
            for number in ids
        ]
    client = ShopifyClient(shop)
    return [client.rest("GET", kind.rest_path.format(id=number))[kind.name] for number in ids]


def start_runs(
    shop: Shop, kind: ResourceType, ids: list[int], tasks: list[Task], mode: str, inputs: dict | None = None
) -> list[Event]:
    """Create the events of one submission: one per resource (individual) or one for all (batch),
    targeted at ``tasks``, with ``inputs`` as the event's ``input``. Raises ``RunLinkError`` for a
    task that does not subscribe to the mode's topic, and the client's errors when Shopify fails."""
    topic = check_tasks(tasks, kind, mode)
    resources = fetch_resources(shop, kind, ids)
    task_ids = [str(task.pk) for task in tasks]
    payloads: list[Any] = [resources] if mode == BATCH else resources
    return [
        Event.objects.ingest(shop, topic, data, source="user", task_ids=task_ids, input=inputs or None)
        for data in payloads
    ]
