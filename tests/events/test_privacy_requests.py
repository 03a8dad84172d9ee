"""Shopify's privacy topics (issue 9; spec/platform.md §2.2, §10.1): ``customers/redact``,
``customers/data_request`` and ``shop/redact`` are verified, recorded (for installed, uninstalled
and unknown shops), never stored as events, and handled: events naming the customer deleted or
exported by email, the shop purged."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from events.models import Event, PrivacyRequest
from integrations.models import Shop
from runs import privacy
from runs.models import ActionRun, RunAttempt, TaskRun
from runs.privacy import Customer
from tasks_app.models import Task
from tests.events.test_shopify_webhooks import _secrets, deliver  # noqa: F401  (fixture)
from tests.runs.engine_helpers import action, emit, make_task

CUSTOMER = {"id": 191167, "email": "John@Example.com", "phone": "555-625-1199"}
REDACT = {
    "shop_id": 954889,
    "shop_domain": "example.myshopify.com",
    "customer": CUSTOMER,
    "orders_to_redact": [299938, 280263],
}
DATA_REQUEST = {
    "shop_id": 954889,
    "shop_domain": "example.myshopify.com",
    "orders_requested": [299938, 280263],
    "customer": CUSTOMER,
    "data_request": {"id": 9999},
}
SHOP_REDACT = {"shop_id": 954889, "shop_domain": "example.myshopify.com"}


def send(client, topic: str, payload: dict, *, webhook_id: str = "privacy-1", **headers):
    body = json.dumps(payload).encode()
    return deliver(client, body, X_Shopify_Topic=topic, X_Shopify_Webhook_Id=webhook_id, **headers)


def request_via(client, capture, topic: str, payload: dict, **headers) -> PrivacyRequest:
    with capture(execute=True):
        response = send(client, topic, payload, **headers)
    assert response.status_code == 200
    (request,) = PrivacyRequest.objects.all()
    return request


@pytest.fixture
def history(shop):
    """Events of ``shop``: three name the customer (by customer id, by order id, by email in a
    run's action options), two do not."""
    make_task(
        shop,
        subscriptions=["shopify/customers/update", "shopify/orders/create", "user/mail/send"],
        script=action("echo", {"to": "x"}),
    )
    by_id = emit(shop, "shopify/customers/update", {"id": 191167, "first_name": "John"})
    by_order = emit(shop, "shopify/orders/create", {"id": 280263, "customer": {"id": 5}})
    other_customer = emit(shop, "shopify/customers/update", {"id": 5, "note": "191167"})
    other_order = emit(shop, "shopify/orders/create", {"id": 1, "line_items": [{"product_id": 191167}]})
    in_options = emit(shop, "user/mail/send", {"n": 1})
    task_run = TaskRun.objects.get(event=in_options)
    ActionRun.objects.filter(task_run=task_run).update(options={"to": "john@EXAMPLE.com"})
    return {"named": [by_id, by_order, in_options], "kept": [other_customer, other_order]}


def test_customers_redact_deletes_the_events_naming_the_customer_with_their_runs(
    shop, history, django_capture_on_commit_callbacks
):
    named_runs = list(TaskRun.objects.filter(event__in=history["named"]).values_list("pk", flat=True))
    assert RunAttempt.objects.filter(run_id__in=named_runs).count() == 3

    request = request_via(Client(), django_capture_on_commit_callbacks, "customers/redact", REDACT)

    assert set(Event.objects.values_list("pk", flat=True)) == {event.pk for event in history["kept"]}
    assert not TaskRun.objects.filter(pk__in=named_runs).exists()
    assert not RunAttempt.objects.filter(run_id__in=named_runs).exists()
    request.refresh_from_db()
    assert request.topic == "shopify/customers/redact"
    assert request.shop == shop
    assert request.customer_id == "191167"
    assert request.outcome == "Deleted 3 event(s) naming customer 191167, with their runs."
    assert request.error is None
    assert request.handled_at is not None
    # Once handled, only ids are kept: no email, no phone.
    assert request.payload == {
        "shop_id": 954889,
        "shop_domain": "example.myshopify.com",
        "orders_to_redact": [299938, 280263],
        "customer": {"id": 191167},
    }


def test_a_privacy_request_is_never_stored_as_an_event(shop, django_capture_on_commit_callbacks):
    make_task(shop, subscriptions=["shopify/customers/redact"], script=action("echo", {"n": 1}))

    request_via(Client(), django_capture_on_commit_callbacks, "customers/redact", REDACT)

    assert not Event.objects.exists()


def test_customers_data_request_emails_the_shop_contact_a_json_export(
    shop, history, django_capture_on_commit_callbacks
):
    request = request_via(
        Client(), django_capture_on_commit_callbacks, "customers/data_request", DATA_REQUEST
    )

    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    assert message.from_email == "hub@mail.hub.localhost"
    assert message.subject == "Customer data request for example.myshopify.com (customer 191167)"
    ((name, body, mimetype),) = message.attachments
    assert (name, mimetype) == ("customer-191167-data.json", "application/json")
    export = json.loads(body)
    assert export["shop"] == "example.myshopify.com"
    assert export["customer_id"] == "191167"
    assert export["data_request_id"] == 9999
    assert [event["id"] for event in export["events"]] == [str(event.pk) for event in history["named"]]
    first = export["events"][0]
    assert first["topic"] == "shopify/customers/update"
    assert first["data"] == {"id": 191167, "first_name": "John"}
    (task_run,) = first["task_runs"]
    assert task_run["task"] == "Task"
    assert task_run["status"] == "succeeded"
    assert [(run["type"], run["options"]) for run in task_run["action_runs"]] == [("echo", {"to": "x"})]
    assert export["events"][2]["task_runs"][0]["action_runs"][0]["options"] == {"to": "john@EXAMPLE.com"}
    request.refresh_from_db()
    assert request.outcome == "Sent 3 event(s) naming customer 191167 to owner@example.com."
    assert Event.objects.count() == 5  # nothing deleted


def test_a_data_request_for_a_shop_without_contact_email_waits_with_the_reason_and_is_tried_again(
    shop, django_capture_on_commit_callbacks
):
    Shop.objects.filter(pk=shop.pk).update(data={"name": "No contact"})

    request = request_via(
        Client(), django_capture_on_commit_callbacks, "customers/data_request", DATA_REQUEST
    )

    request.refresh_from_db()
    assert request.handled_at is None
    assert request.error == "shop example.myshopify.com has no contact email (Shop resource 'email')"
    assert request.payload["customer"]["email"] == "John@Example.com"  # kept until it is handled
    assert not mail.outbox
    Shop.objects.filter(pk=shop.pk).update(data={"email": "new-owner@example.com"})
    assert privacy.handle_waiting(now=timezone.now()) == 0  # too recent for the hourly pass
    assert privacy.handle_waiting(now=timezone.now() + timedelta(minutes=11)) == 1
    request.refresh_from_db()
    assert request.error is None
    assert request.outcome == "Sent 0 event(s) naming customer 191167 to new-owner@example.com."
    assert mail.outbox[0].to == ["new-owner@example.com"]


def test_shop_redact_of_an_uninstalled_shop_deletes_the_shop_and_all_it_holds(
    shop, history, django_capture_on_commit_callbacks
):
    shop.mark_uninstalled(timezone.now())

    request = request_via(Client(), django_capture_on_commit_callbacks, "shop/redact", SHOP_REDACT)

    assert not Shop.objects.exists()
    assert not Event.objects.exists()
    assert not Task.objects.exists()
    assert not TaskRun.objects.exists()
    assert not RunAttempt.objects.exists()
    request.refresh_from_db()
    assert request.shop is None
    assert request.shop_domain == "example.myshopify.com"
    assert request.outcome == "Deleted the shop and everything Hub held for it: 5 event(s), 1 task(s)."


def test_shop_redact_of_a_shop_that_has_the_app_installed_deletes_nothing(
    shop, history, django_capture_on_commit_callbacks
):
    request = request_via(Client(), django_capture_on_commit_callbacks, "shop/redact", SHOP_REDACT)

    assert Shop.objects.filter(pk=shop.pk).exists()
    assert Event.objects.count() == 5
    request.refresh_from_db()
    assert request.outcome == "Nothing deleted: the shop has the app installed again."


def test_privacy_requests_of_an_uninstalled_shop_are_accepted_while_other_deliveries_are_dropped(
    shop, history, django_capture_on_commit_callbacks
):
    shop.mark_uninstalled(timezone.now())

    request = request_via(Client(), django_capture_on_commit_callbacks, "customers/redact", REDACT)

    request.refresh_from_db()
    assert request.outcome == "Deleted 3 event(s) naming customer 191167, with their runs."
    assert Event.objects.count() == 2


def test_a_request_for_an_unknown_shop_is_recorded_and_answered_200(db, django_capture_on_commit_callbacks):
    request = request_via(
        Client(),
        django_capture_on_commit_callbacks,
        "shop/redact",
        {"shop_id": 1, "shop_domain": "gone.myshopify.com"},
        X_Shopify_Shop_Domain="gone.myshopify.com",
    )

    request.refresh_from_db()
    assert (request.shop, request.shop_domain) == (None, "gone.myshopify.com")
    assert request.outcome == "Nothing held: Hub has no shop of this domain."


def test_a_repeated_delivery_is_recorded_once(shop, django_capture_on_commit_callbacks):
    client = Client()
    request_via(client, django_capture_on_commit_callbacks, "customers/redact", REDACT)

    assert send(client, "customers/redact", REDACT).status_code == 200

    assert PrivacyRequest.objects.count() == 1


def test_a_privacy_delivery_with_a_bad_signature_is_refused_and_not_recorded(shop):
    response = send(Client(), "shop/redact", SHOP_REDACT, X_Shopify_Hmac_Sha256="bm9wZQ==")

    assert response.status_code == 401
    assert not PrivacyRequest.objects.exists()


def test_a_privacy_delivery_that_is_not_a_json_object_is_refused_naming_the_topic(shop):
    response = deliver(
        Client(), b"[1, 2]", X_Shopify_Topic="customers/redact", X_Shopify_Webhook_Id="privacy-list"
    )

    assert response.status_code == 400
    assert response.content == b"The body of a shopify/customers/redact request must be a JSON object."
    assert not PrivacyRequest.objects.exists()


def test_with_runs_queued_the_request_is_handled_on_the_queue(
    shop, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HUB_ENQUEUE_RUNS = True
    queued = []
    monkeypatch.setattr("runs.receivers.async_task", lambda *args, **kwargs: queued.append((args, kwargs)))

    request = request_via(Client(), django_capture_on_commit_callbacks, "customers/redact", REDACT)

    assert queued == [(("runs.privacy.handle", str(request.pk)), {"task_name": f"privacy-{request.pk}"})]
    request.refresh_from_db()
    assert request.handled_at is None


@pytest.mark.parametrize(
    ("topic", "data", "named"),
    [
        ("shopify/customers/create", {"id": 191167}, True),
        ("shopify/customers/create", {"id": 191168}, False),
        ("shopify/orders/paid", {"id": 299938}, True),
        ("shopify/orders/paid", {"id": 1, "customer": {"id": 191167}}, True),
        ("shopify/orders/paid", {"id": 1, "customer": {"id": 7}, "product_id": 191167}, False),
        ("user/x/y", {"customer_id": "191167"}, True),
        ("user/x/y", {"order_id": 280263}, True),
        ("user/x/y", {"gid": "gid://shopify/Customer/191167"}, True),
        ("user/x/y", {"gid": "gid://shopify/Order/280263"}, False),
        ("user/x/y", {"nested": [{"to": " JOHN@example.COM "}]}, True),
        ("user/x/y", {"phone": "+1 (555) 625 1199"}, False),
        ("user/x/y", {"phone": "(555) 625-1199"}, True),
        ("user/x/y", {"note": "call 555-625-1199 now"}, False),
        ("user/x/y", {"id": 191167}, False),
        ("user/x/y", None, False),
    ],
)
def test_what_names_a_customer(topic, data, named):
    customer = Customer.of(REDACT)

    assert customer.named_in(data, topic) is named
