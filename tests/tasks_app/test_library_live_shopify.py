"""Library tasks performed for real against the Shopify stand-in (spec/actions.md §1)."""

import json

import pytest

from events.models import Event
from runs.inline import perform_event_now
from runs.models import ActionRun, RunStatus, TaskRun
from tasks_app.importer import import_tasks
from tests.conftest import TASKS_DIR, WEBHOOKS_DIR
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

AUTO_TAG = TASKS_DIR / "auto-tag-orders-by-shipping-address-country.json"
COUNTRY_TAGS = {"domestic": "US", "international": "CA, GB, DE"}


def order_event(shop, **changes) -> Event:
    """A ``shopify/orders/create`` delivery built from Shopify's example payload."""
    payload = json.loads((WEBHOOKS_DIR / "orders-create.json").read_text())
    for key, value in changes.items():
        payload[key] = {**payload[key], **value} if isinstance(value, dict) else value
    return Event.objects.ingest(
        shop,
        "shopify/orders/create",
        payload,
        source="shopify",
        shopify_topic="shopify/orders/create",
        enqueue=False,
    )


@pytest.mark.parametrize(
    ("changes", "order_id", "tags"),
    [
        ({}, "gid://shopify/Order/820982911946154508", ["tag1", "tag2", "domestic"]),
        (
            {
                "id": 450789470,
                "admin_graphql_api_id": "gid://shopify/Order/450789470",
                "shipping_address": {"country_code": "GB"},
            },
            "gid://shopify/Order/450789470",
            ["gift", "international"],
        ),
    ],
    ids=["us-order", "gb-order"],
)
def test_auto_tag_orders_by_shipping_address_country(shop, standin, changes, order_id, tags):
    (imported,) = import_tasks(
        shop,
        AUTO_TAG.read_text(),
        options_override={"tags_to_apply_and_country_codes__keyval_required": COUNTRY_TAGS},
        enable=True,
    )
    event = order_event(shop, **changes)

    perform_event_now(event)

    task_run = TaskRun.objects.get(event=event, task=imported.task)
    assert task_run.status == RunStatus.SUCCEEDED, task_run.error
    runs = list(ActionRun.objects.filter(task_run=task_run))
    assert [(run.action_type, run.status, run.error) for run in runs] == [
        ("shopify", RunStatus.SUCCEEDED, None)
    ]
    assert runs[0].result["data"] == {"tagsAdd": {"userErrors": []}}
    assert runs[0].result_meta["shopify_admin_graphql_api_cost"] == 10
    assert standin.store.get(order_id)["tags"] == tags


def test_an_order_from_an_unlisted_country_is_left_alone(shop, standin):
    import_tasks(
        shop,
        AUTO_TAG.read_text(),
        options_override={"tags_to_apply_and_country_codes__keyval_required": {"domestic": "US"}},
        enable=True,
    )
    event = order_event(shop, shipping_address={"country_code": "FR"})

    perform_event_now(event)

    assert TaskRun.objects.get(event=event).status == RunStatus.SUCCEEDED
    assert ActionRun.objects.count() == 0
    assert standin.store.requests == []
