"""Custom Shopify webhooks (issue 9, item 4; spec/platform.md §2.4): every save-time rule, import
and export, the delivery endpoint and the events it makes, and the sync statuses against the
stand-in over real HTTP."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from events.custom_webhooks import import_custom_webhooks, warnings
from events.models import CustomWebhook, Event
from integrations.models import Shop
from runs.models import ActionRun
from standin.registry import MUTATIONS, user_error
from tasks_app import webhook_sync
from tests.events.test_shopify_webhooks import _secrets, deliver  # noqa: F401  (fixture)
from tests.runs.engine_helpers import make_task
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

ACTIVE = {
    "name": "Active product updates",
    "shopify_topic": "shopify/products/update",
    "event_topic": "user/products/active_update",
    "filter": "status:active",
    "include_fields": ["id", "title", "status", "updated_at"],
    "metafield_namespaces": [],
    "metafields": ["custom.pack_size"],
}


def webhook(shop, **fields) -> CustomWebhook:
    return CustomWebhook(shop=shop, **{**ACTIVE, **fields})


def errors_of(item: CustomWebhook) -> dict:
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    return refused.value.message_dict


# --- save-time rules ----------------------------------------------------------------------------


def test_a_valid_webhook_passes(shop):
    webhook(shop).full_clean()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"shopify_topic": "shopify/orders/exploded"}, "shopify_topic", "is not a Shopify webhook topic"),
        ({"event_topic": "shopify/products/update"}, "event_topic", "must be user/<subject>/<verb>"),
        ({"event_topic": "user/Products/x"}, "event_topic", "must be user/<subject>/<verb>"),
        (
            {"filter": "", "include_fields": [], "metafields": []},
            "filter",
            "set at least one of filter, include fields, metafield namespaces or metafields",
        ),
        ({"metafields": ["pack_size"]}, "metafields", "entries must be namespace.key: pack_size"),
        ({"include_fields": "id"}, "include_fields", "must be a list of non-empty strings"),
        (
            {"shopify_topic": "shopify/metaobjects/create", "filter": "handle:x", "include_fields": []},
            "filter",
            "a metaobject topic needs a filter naming its definitions",
        ),
        (
            {"shopify_topic": "shopify/metaobjects/update", "filter": "type:*", "include_fields": []},
            "filter",
            "a metaobject topic needs a filter naming its definitions",
        ),
        (
            {"filter": "status:active AND variants.price:>10", "include_fields": ["id", "status"]},
            "include_fields",
            "must cover the paths the filter uses: variants.price",
        ),
        (
            {"filter": "metafields.namespace:custom", "include_fields": [], "metafields": []},
            "metafield_namespaces",
            "the filter uses metafields of namespace 'custom': select it",
        ),
        (
            {
                "filter": "metafields.namespace:custom",
                "include_fields": ["id"],
                "metafield_namespaces": ["custom"],
            },
            "include_fields",
            "must cover the paths the filter uses: metafields.namespace",
        ),
        (
            {"filter": "metafields.key:size", "include_fields": [], "metafields": ["custom.pack_size"]},
            "metafields",
            "the filter uses metafield key 'size': select that metafield",
        ),
    ],
)
def test_each_rule_refuses_naming_the_field(shop, fields, field, message):
    assert message in " ".join(errors_of(webhook(shop, **fields))[field])


def test_what_the_rules_let_through(shop):
    metaobjects = {"shopify_topic": "shopify/metaobjects/create", "filter": "type:lookbook OR type:recipe"}
    webhook(shop, include_fields=[], **metaobjects).full_clean()
    webhook(
        shop, filter="variants.price:>10", include_fields=["id", "variants"]
    ).full_clean()  # ancestor covers
    webhook(
        shop,
        filter="metafields.namespace:custom",
        include_fields=["id", "metafields"],
        metafields=["custom.a"],
    ).full_clean()
    webhook(shop, filter="", include_fields=["id"], metafields=[]).full_clean()  # trimming alone


def test_enabled_webhooks_of_a_shop_are_unique_by_topic_and_filter(shop):
    CustomWebhook.objects.create(shop=shop, enabled=True, **{**ACTIVE, "name": "First"})

    assert errors_of(webhook(shop, name="Second", enabled=True))["filter"] == [
        "the enabled webhook 'First' already has this Shopify topic and filter"
    ]
    webhook(shop, name="Second", enabled=False).full_clean()  # a disabled twin is allowed
    webhook(shop, name="Third", enabled=True, filter="status:draft").full_clean()


def test_an_include_field_that_looks_like_a_metafield_is_warned_about(shop):
    assert warnings(webhook(shop, include_fields=["id", "custom.pack_size"])) == [
        "include field 'custom.pack_size' looks like a metafield (namespace.key): include fields do not "
        "select metafields; list it under metafields"
    ]
    assert warnings(webhook(shop)) == []


# --- import and export --------------------------------------------------------------------------


def test_import_creates_disabled_webhooks_and_keeps_the_enabled_state_of_existing_ones(shop):
    existing = CustomWebhook.objects.create(shop=shop, enabled=True, **{**ACTIVE, "filter": "status:draft"})

    saved = import_custom_webhooks(
        shop, [ACTIVE, {**ACTIVE, "name": "Other", "filter": "vendor:Acme", "include_fields": ["vendor"]}]
    )

    assert [(item.name, item.enabled) for item in saved] == [
        ("Active product updates", True),
        ("Other", False),
    ]
    existing.refresh_from_db()
    assert existing.filter == "status:active"


def test_an_invalid_entry_imports_nothing_and_names_the_entry(shop):
    with pytest.raises(ValidationError) as refused:
        import_custom_webhooks(shop, [ACTIVE, {**ACTIVE, "name": "Bad", "event_topic": "nope"}])

    assert refused.value.messages == [
        "[1] event_topic: must be user/<subject>/<verb>, each part of a-z, 0-9 and _"
    ]
    assert not CustomWebhook.objects.exists()


def test_the_command_exports_what_it_imports(shop, tmp_path):
    source = tmp_path / "webhooks.json"
    source.write_text(json.dumps(ACTIVE))
    out = StringIO()

    call_command("custom_webhooks", "import", str(source), stdout=out)
    exported = StringIO()
    call_command("custom_webhooks", "export", stdout=exported)

    assert out.getvalue().startswith("Imported custom webhook 'Active product updates' (")
    assert out.getvalue().endswith("), disabled\n")
    assert json.loads(exported.getvalue()) == [ACTIVE]
    source.write_text(json.dumps({**ACTIVE, "unknown": 1}))
    with pytest.raises(CommandError, match=r"\[0\] unknown keys: unknown; nothing was imported"):
        call_command("custom_webhooks", "import", str(source))


# --- deliveries ---------------------------------------------------------------------------------

PRODUCT = json.dumps({"id": 632910392, "title": "IPod Nano", "status": "active"}).encode()


def test_a_delivery_becomes_an_event_of_the_event_topic_with_the_subject_variable(shop):
    item = CustomWebhook.objects.create(shop=shop, enabled=True, **ACTIVE)
    make_task(
        shop,
        subscriptions=["user/products/active_update"],
        script='{% action "echo", title: product.title %}',
    )

    response = deliver(
        Client(), PRODUCT, path=f"/shopify/webhooks/custom/{item.id}", X_Shopify_Topic="products/update"
    )

    assert response.status_code == 200
    (event,) = Event.objects.all()
    assert (event.topic, event.shopify_topic, event.source) == (
        "user/products/active_update",
        "shopify/products/update",
        f"custom_shopify_webhook_subscription:{item.id}",
    )
    assert event.data == json.loads(PRODUCT)
    from runs.inline import perform_event_now

    perform_event_now(event)
    assert ActionRun.objects.get().result == {"title": "IPod Nano"}


def test_one_shopify_event_reaches_both_a_native_and_a_custom_subscription(shop):
    item = CustomWebhook.objects.create(shop=shop, enabled=True, **ACTIVE)
    client = Client()
    ids = {"X_Shopify_Topic": "products/update", "X_Shopify_Event_Id": "ev-1"}

    deliver(client, PRODUCT, X_Shopify_Webhook_Id="w1", **ids)
    deliver(client, PRODUCT, path=f"/shopify/webhooks/custom/{item.id}", X_Shopify_Webhook_Id="w2", **ids)
    deliver(client, PRODUCT, path=f"/shopify/webhooks/custom/{item.id}", X_Shopify_Webhook_Id="w2", **ids)

    assert sorted(Event.objects.values_list("topic", flat=True)) == [
        "shopify/products/update",
        "user/products/active_update",
    ]


@pytest.mark.parametrize("case", ["unknown", "other shop", "not a uuid"])
def test_a_delivery_for_no_webhook_of_that_shop_is_answered_200_and_dropped(shop, case):
    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    item = CustomWebhook.objects.create(shop=other if case == "other shop" else shop, enabled=True, **ACTIVE)
    webhook_id = {"unknown": "8d3e0c1a-6d4f-4a36-9d0a-111111111111", "not a uuid": "x"}.get(
        case, str(item.id)
    )

    response = deliver(
        Client(), PRODUCT, path=f"/shopify/webhooks/custom/{webhook_id}", X_Shopify_Topic="products/update"
    )

    assert response.status_code == 200
    assert not Event.objects.exists()


def test_a_custom_delivery_with_a_bad_signature_is_refused(shop):
    item = CustomWebhook.objects.create(shop=shop, enabled=True, **ACTIVE)

    response = deliver(Client(), PRODUCT, path=f"/shopify/webhooks/custom/{item.id}", signature="bm9wZQ==")

    assert response.status_code == 401


# --- sync and statuses --------------------------------------------------------------------------


@pytest.fixture
def connected(shop, settings):
    settings.HUB_BASE_URL = "https://hub.example.com"
    Shop.objects.filter(pk=shop.pk).update(access_token="shpat_test")
    return Shop.objects.get(pk=shop.pk)


def custom_subscriptions(standin) -> list[dict]:
    return [sub for sub in standin.store.of_type("WebhookSubscription") if "/custom/" in sub["uri"]]


def status_of(item: CustomWebhook) -> tuple[str, str]:
    item.refresh_from_db()
    return item.status, item.sync_error


def test_an_enabled_webhook_with_a_subscriber_is_subscribed_at_its_address_and_receiving(standin, connected):
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    make_task(connected, subscriptions=["user/products/active_update+1.hour"])

    report = webhook_sync.sync_shop(connected)

    (sub,) = custom_subscriptions(standin)
    assert sub["uri"] == f"https://hub.example.com/shopify/webhooks/custom/{item.id}"
    assert (sub["topic"], sub["filter"], sub["includeFields"]) == (
        "PRODUCTS_UPDATE",
        "status:active",
        ACTIVE["include_fields"],
    )
    assert sub["metafields"] == [{"namespace": "custom", "key": "pack_size"}]
    assert status_of(item) == ("receiving", "")
    item.refresh_from_db()
    assert item.shopify_subscription_id == sub["id"]
    assert report.custom == ["created PRODUCTS_UPDATE for custom webhook 'Active product updates'"]
    assert webhook_sync.sync_shop(connected).custom == []  # in line: nothing to do


def test_without_an_enabled_subscriber_it_is_not_receiving_and_its_subscription_goes(standin, connected):
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    task = make_task(connected, subscriptions=["user/products/active_update"])
    webhook_sync.sync_shop(connected)
    task.enabled = False
    task.save()

    webhook_sync.sync_shop(connected)

    assert custom_subscriptions(standin) == []
    assert status_of(item) == ("not_receiving", "")


def test_a_disabled_or_deleted_webhook_loses_its_subscription(standin, connected):
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    make_task(connected, subscriptions=["user/products/active_update"])
    webhook_sync.sync_shop(connected)

    item.enabled = False
    item.save()
    webhook_sync.sync_shop(connected)
    assert (custom_subscriptions(standin), status_of(item)) == ([], ("disabled", ""))

    item.enabled = True
    item.save()
    webhook_sync.sync_shop(connected)
    item.delete()
    report = webhook_sync.sync_shop(connected)
    assert custom_subscriptions(standin) == []
    assert report.custom == ["deleted PRODUCTS_UPDATE of a deleted custom webhook"]


def test_an_unfiltered_webhook_conflicting_with_a_native_subscription_needs_a_filter(standin, connected):
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **{**ACTIVE, "filter": ""})
    make_task(connected, subscriptions=["user/products/active_update", "shopify/products/update"])

    webhook_sync.sync_shop(connected)

    assert status_of(item) == ("needs_filter", "")
    assert custom_subscriptions(standin) == []


def test_a_changed_filter_replaces_the_subscription(standin, connected):
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    make_task(connected, subscriptions=["user/products/active_update"])
    webhook_sync.sync_shop(connected)
    item.filter = "status:draft"
    item.save()

    webhook_sync.sync_shop(connected)

    (sub,) = custom_subscriptions(standin)
    assert sub["filter"] == "status:draft"


def test_a_shop_without_the_topics_scope_needs_permissions(standin, connected):
    Shop.objects.filter(pk=connected.pk).update(connection="oauth", granted_scopes=["read_orders"])
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    make_task(connected, subscriptions=["user/products/active_update"])
    connected.refresh_from_db()

    webhook_sync.sync_shop(connected)

    assert status_of(item) == ("needs_permissions", "")
    assert connected.required_scopes == ["read_products"]  # the webhook's topic counts
    assert custom_subscriptions(standin) == []


def test_shopifys_refusal_is_the_sync_error(standin, connected, monkeypatch):
    refusal = "Filter is invalid: unexpected token"
    native = MUTATIONS["webhookSubscriptionCreate"]

    def refuse_custom(store, record, args):
        if "/custom/" in args["webhookSubscription"]["uri"]:
            return {"userErrors": [user_error(["webhookSubscription", "filter"], refusal)]}
        return native(store, record, args)

    monkeypatch.setitem(MUTATIONS, "webhookSubscriptionCreate", refuse_custom)
    item = CustomWebhook.objects.create(shop=connected, enabled=True, **ACTIVE)
    make_task(connected, subscriptions=["user/products/active_update"])

    webhook_sync.sync_shop(connected)

    assert status_of(item) == ("sync_error", f"subscribing to PRODUCTS_UPDATE refused: {refusal}")
