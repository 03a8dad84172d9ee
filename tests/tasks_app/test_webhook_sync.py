"""Webhook registration (issue 9; spec/platform.md §2.2): one Shopify subscription per (shop,
topic) while an enabled task needs it, plus the platform topics, reconciled against the stand-in's
``webhookSubscriptions`` over real HTTP."""

from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from integrations.models import Shop
from integrations.shopify.webhooks import topic_enum, webhook_topics
from integrations.signals import shop_installed
from standin.registry import MUTATIONS, schema, user_error
from tasks_app import webhook_sync
from tasks_app.models import Task
from tests.runs.engine_helpers import make_task
from tests.standin.standin_helpers import clock_fixture, graphql_requests, standin_fixture  # noqa: F401

CALLBACK = "https://hub.example.com/shopify/webhooks"
QUERY = """{ webhookSubscriptions(first: 50) {
  nodes { id topic uri endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } }"""


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.HUB_BASE_URL = "https://hub.example.com"


@pytest.fixture
def connected(shop):
    Shop.objects.filter(pk=shop.pk).update(access_token="shpat_test")
    return Shop.objects.get(pk=shop.pk)


def ask(standin, query: str, variables: dict | None = None) -> dict:
    """A GraphQL request to the stand-in, as any client would send it."""
    response = requests.post(
        f"{standin.url}/admin/api/2026-07/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": "shpat_test"},
        timeout=5,
    )
    return response.json()


def subscribed(standin) -> list[tuple[str, str]]:
    """``(topic, callbackUrl)`` of every subscription the stand-in holds, through its query."""
    nodes = ask(standin, QUERY)["data"]["webhookSubscriptions"]["nodes"]
    return sorted((node["topic"], node["endpoint"]["callbackUrl"]) for node in nodes)


def create_directly(standin, topic: str, uri: str) -> str:
    body = ask(
        standin,
        "mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) {"
        " webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) {"
        " webhookSubscription { id } userErrors { message } } }",
        {"t": topic, "s": {"callbackUrl": uri}},
    )
    return body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["id"]


PLATFORM = [("APP_UNINSTALLED", CALLBACK), ("SHOP_UPDATE", CALLBACK)]


def test_an_enabled_task_gets_its_topic_subscribed_with_the_platform_topics(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create", "user/test/go", "mechanic/scheduler/daily"])

    report = webhook_sync.sync_shop(connected)

    assert report.created == ["APP_UNINSTALLED", "ORDERS_CREATE", "SHOP_UPDATE"]
    assert (report.deleted, report.kept, report.unknown, report.error) == ([], [], [], None)
    assert subscribed(standin) == sorted([*PLATFORM, ("ORDERS_CREATE", CALLBACK)])
    created = [body["variables"] for body in graphql_requests(standin) if "Create" in body["query"]]
    assert created[1] == {
        "topic": "ORDERS_CREATE",
        "webhookSubscription": {"uri": CALLBACK, "format": "JSON"},
    }


def test_a_second_sync_changes_nothing_and_only_lists(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create", "shopify/orders/create+1.hour"])
    webhook_sync.sync_shop(connected)
    before = len(graphql_requests(standin))

    report = webhook_sync.sync_shop(connected)

    assert (report.created, report.deleted) == ([], [])
    assert report.kept == ["APP_UNINSTALLED", "ORDERS_CREATE", "SHOP_UPDATE"]
    assert len(graphql_requests(standin)) == before + 1  # the list query alone


def test_disabling_or_deleting_the_task_removes_its_topic_and_keeps_the_platform_ones(standin, connected):
    task = make_task(connected, subscriptions=["shopify/orders/create"])
    other = make_task(connected, name="Other", subscriptions=["shopify/products/update"])
    webhook_sync.sync_shop(connected)

    Task.objects.filter(pk=task.pk).update(enabled=False)
    assert webhook_sync.sync_shop(connected).deleted == ["ORDERS_CREATE"]
    other.delete()
    assert webhook_sync.sync_shop(connected).deleted == ["PRODUCTS_UPDATE"]

    assert subscribed(standin) == PLATFORM


def test_a_subscription_deleted_behind_hubs_back_is_made_again(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create"])
    webhook_sync.sync_shop(connected)
    (gone,) = [sub for sub in standin.store.of_type("WebhookSubscription") if sub["topic"] == "ORDERS_CREATE"]
    del standin.store.records[gone["id"]]

    report = webhook_sync.sync_shop(connected)

    assert report.created == ["ORDERS_CREATE"]
    assert subscribed(standin) == sorted([*PLATFORM, ("ORDERS_CREATE", CALLBACK)])


def test_repeats_are_deleted_and_other_addresses_left_alone(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create"])
    first = create_directly(standin, "ORDERS_CREATE", CALLBACK)
    repeat = create_directly(standin, "ORDERS_CREATE", CALLBACK + "/")
    elsewhere = create_directly(standin, "ORDERS_CREATE", "https://other.example.com/hooks")

    report = webhook_sync.sync_shop(connected)

    assert report.deleted == ["ORDERS_CREATE"]
    assert report.created == ["APP_UNINSTALLED", "SHOP_UPDATE"]
    remaining = {sub["id"] for sub in standin.store.of_type("WebhookSubscription")}
    assert first in remaining and elsewhere in remaining and repeat not in remaining


def test_a_shopify_line_that_is_no_webhook_topic_is_reported_and_not_subscribed(standin, connected):
    make_task(connected, name="Odd", subscriptions=["shopify/orders/exploded", "shopify/orders/paid"])

    report = webhook_sync.sync_shop(connected)

    assert report.created == ["APP_UNINSTALLED", "ORDERS_PAID", "SHOP_UPDATE"]
    assert report.unknown == ["shopify/orders/exploded (task 'Odd')"]
    assert report.lines()[1] == (
        "example.myshopify.com: not a Shopify webhook topic, not subscribed: "
        "shopify/orders/exploded (task 'Odd')"
    )


def test_a_shop_not_connected_is_not_synced_and_nothing_is_sent(standin, shop):
    report = webhook_sync.sync_shop(shop)

    assert report.error == "the shop is not connected (uninstalled, or no access token)"
    assert graphql_requests(standin) == []


def test_a_refusal_from_shopify_is_reported_naming_the_topic(standin, connected, monkeypatch):
    def refuse(_store, _record, _args):
        return {
            "userErrors": [
                user_error(["webhookSubscription", "uri"], "Address protocol http:// is not supported")
            ]
        }

    monkeypatch.setitem(MUTATIONS, "webhookSubscriptionCreate", refuse)
    make_task(connected, subscriptions=["shopify/orders/create"])

    report = webhook_sync.sync_shop(connected)

    assert report.error == "subscribing to APP_UNINSTALLED refused: Address protocol http:// is not supported"
    assert report.created == []
    assert report.lines() == [f"example.myshopify.com: not synced: {report.error}"]


def test_the_command_prints_what_it_does_and_dry_run_changes_nothing(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create"])
    out = StringIO()

    call_command("sync_webhooks", "--dry-run", stdout=out)
    assert (
        out.getvalue() == "example.myshopify.com: would create APP_UNINSTALLED, ORDERS_CREATE, SHOP_UPDATE\n"
    )
    assert subscribed(standin) == []

    out = StringIO()
    call_command("sync_webhooks", "--shop", "example.myshopify.com", stdout=out)
    assert out.getvalue() == "example.myshopify.com: created APP_UNINSTALLED, ORDERS_CREATE, SHOP_UPDATE\n"


def test_the_command_fails_naming_a_shop_it_could_not_sync(standin, connected):
    connected.mark_uninstalled(timezone.now())
    err = StringIO()

    with pytest.raises(CommandError, match="^no shop 'nope.myshopify.com'"):
        call_command("sync_webhooks", "--shop", "nope.myshopify.com")
    with pytest.raises(CommandError, match="^not synced: example.myshopify.com$"):
        call_command("sync_webhooks", "--shop", "example.myshopify.com", stderr=err)
    assert "not connected" in err.getvalue()


@pytest.fixture
def queued(settings, monkeypatch) -> list:
    """The messages put on the queue (runs queued: ``HUB_ENQUEUE_RUNS`` on)."""
    settings.HUB_ENQUEUE_RUNS = True
    sent: list = []
    monkeypatch.setattr("tasks_app.receivers.async_task", lambda *args, **kwargs: sent.append(args))
    return sent


def test_saving_or_deleting_a_task_and_an_install_queue_a_sync_of_the_shop(
    connected, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(connected, subscriptions=["shopify/orders/create"])
    with django_capture_on_commit_callbacks(execute=True):
        task.delete()
    with django_capture_on_commit_callbacks(execute=True):
        shop_installed.send(sender=Shop, shop=connected)

    assert queued == [("tasks_app.webhook_sync.sync_shop_by_id", str(connected.pk))] * 3


def test_a_shop_not_connected_queues_no_sync(shop, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_task(shop, subscriptions=["shopify/orders/create"])

    assert queued == []


def test_without_the_queue_nothing_is_queued(connected, queued, settings, django_capture_on_commit_callbacks):
    settings.HUB_ENQUEUE_RUNS = False

    with django_capture_on_commit_callbacks(execute=True):
        make_task(connected, subscriptions=["shopify/orders/create"])

    assert queued == []


def test_the_queued_sync_syncs_that_shop(standin, connected):
    make_task(connected, subscriptions=["shopify/orders/create"])

    line = webhook_sync.sync_shop_by_id(str(connected.pk))

    assert line == "example.myshopify.com: created APP_UNINSTALLED, ORDERS_CREATE, SHOP_UPDATE"


def test_the_stand_in_knows_every_topic_hub_can_subscribe_to():
    enum = schema().get_type("WebhookSubscriptionTopic")

    assert set(enum.values) == {topic_enum(topic) for topic in webhook_topics()}
    assert len(webhook_topics()) == 170


def test_the_stand_in_refuses_a_repeat_and_filters_its_list(standin):
    create_directly(standin, "ORDERS_CREATE", CALLBACK)
    create_directly(standin, "ORDERS_PAID", CALLBACK)

    again = ask(
        standin,
        "mutation($s: WebhookSubscriptionInput!) {"
        " webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: $s) {"
        " webhookSubscription { id } userErrors { field message } } }",
        {"s": {"uri": CALLBACK}},
    )
    listed = ask(standin, "{ webhookSubscriptions(first: 5, topics: [ORDERS_PAID]) { nodes { topic uri } } }")

    assert again["data"]["webhookSubscriptionCreate"] == {
        "webhookSubscription": None,
        "userErrors": [
            {
                "field": ["webhookSubscription", "uri"],
                "message": "Address for this topic has already been taken",
            }
        ],
    }
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [{"topic": "ORDERS_PAID", "uri": CALLBACK}]
