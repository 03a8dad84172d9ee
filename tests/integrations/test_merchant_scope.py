"""Merchants in the console (issue 10, item 7; spec/platform.md §9.1): a member of shop A, who is
not staff, gets into the console and sees no task, event, run, secret, webhook or other row of
shop B, in lists, on change pages by URL (404) and through foreign-key choices; platform staff see
every shop."""

import pytest
from django.contrib.auth import get_user_model

from api.models import ApiToken
from events.models import CustomWebhook, Event, EventFilter, Webhook
from integrations.models import Shop, ShopMember
from runs.models import ActionRun, TaskRun
from tasks_app.models import CacheEndpoint, Global, Secret, Task
from tests.runs.engine_helpers import emit, make_task

pytestmark = pytest.mark.django_db


def shop_with_data(domain: str) -> dict:
    """A shop with a task that ran once, a global, a secret, webhooks and a filter."""
    shop = Shop.objects.create(myshopify_domain=domain)
    task = make_task(shop, name=f"Task of {domain}", script='{% action "echo", n: 1 %}')
    event = emit(shop)
    return {
        "shop": shop,
        "task": task,
        "event": event,
        "taskrun": TaskRun.objects.get(event=event),
        "actionrun": ActionRun.objects.get(task_run__event=event),
        "global": Global.objects.create(shop=shop, key="g", value="1"),
        "secret": Secret.objects.create(shop=shop, key="s", encrypted_value="x"),
        "webhook": Webhook.objects.create(shop=shop, name="W", topic="user/a/b"),
        "customwebhook": CustomWebhook.objects.create(
            shop=shop,
            name="C",
            shopify_topic="shopify/products/update",
            event_topic="user/p/u",
            filter="id:*",
        ),
        "eventfilter": EventFilter.objects.create(shop=shop, name="F", template="true"),
        "cacheendpoint": CacheEndpoint.objects.create(shop=shop, key="k"),
        "apitoken": ApiToken.issue(shop, "CLI")[0],
    }


@pytest.fixture
def shops():
    return shop_with_data("a-shop.myshopify.com"), shop_with_data("b-shop.myshopify.com")


@pytest.fixture
def merchant(client, shops):
    user = get_user_model().objects.create_user("merchant", email="owner@a-shop.example")
    ShopMember.objects.create(user=user, shop=shops[0]["shop"], role="owner")
    client.force_login(user)
    return client


ADMIN_URL = {
    "task": "tasks_app/task",
    "event": "events/event",
    "taskrun": "runs/taskrun",
    "actionrun": "runs/actionrun",
    "global": "tasks_app/global",
    "secret": "tasks_app/secret",
    "webhook": "events/webhook",
    "customwebhook": "events/customwebhook",
    "eventfilter": "events/eventfilter",
    "cacheendpoint": "tasks_app/cacheendpoint",
    "apitoken": "api/apitoken",
    "shop": "integrations/shop",
}


def shop_of(obj) -> Shop:
    return obj if isinstance(obj, Shop) else obj.shop


@pytest.mark.parametrize("name", list(ADMIN_URL))
def test_a_merchant_lists_only_their_shops_rows(merchant, shops, name):
    response = merchant.get(f"/admin/{ADMIN_URL[name]}/")

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed, "the merchant's own rows are listed"
    assert {shop_of(obj).myshopify_domain for obj in listed} == {"a-shop.myshopify.com"}


@pytest.mark.parametrize("name", list(ADMIN_URL))
def test_another_shops_object_is_a_404_by_url_and_the_merchants_own_opens(merchant, shops, name):
    mine, theirs = shops[0][name], shops[1][name]

    assert merchant.get(f"/admin/{ADMIN_URL[name]}/{theirs.pk}/change/").status_code == 404
    assert merchant.get(f"/admin/{ADMIN_URL[name]}/{mine.pk}/change/").status_code == 200


def test_foreign_key_choices_offer_only_the_merchants_shop(merchant, shops):
    form = merchant.get("/admin/tasks_app/task/add/").context["adminform"].form

    assert [shop.myshopify_domain for shop in form.fields["shop"].queryset] == ["a-shop.myshopify.com"]
    import_form = merchant.get("/admin/tasks_app/task/import/").context["form"]
    assert [shop.myshopify_domain for shop in import_form.fields["shop"].queryset] == ["a-shop.myshopify.com"]


def test_the_merchants_task_views_of_another_shop_are_404(merchant, shops):
    theirs = shops[1]["task"]

    assert merchant.get(f"/admin/tasks_app/task/{theirs.pk}/export/").status_code == 404
    assert merchant.get(f"/admin/tasks_app/task/{theirs.pk}/preview/").status_code == 404


def test_the_merchant_sees_their_shop_read_only_without_staff_fields(merchant, shops):
    response = merchant.get(f"/admin/integrations/shop/{shops[0]['shop'].pk}/change/")

    fields = response.context["adminform"].form.fields
    assert "email_sending_approved" not in fields and "run_concurrency" not in fields
    assert "access_token" not in response.content.decode()
    assert response.context["has_change_permission"] is False


def test_the_merchant_cannot_retry_another_shops_run_from_its_event_page(merchant, shops):
    theirs = shops[1]
    url = f"/admin/events/event/{theirs['event'].pk}/retry/{theirs['actionrun'].pk}/"

    assert merchant.post(url).status_code == 404


def test_a_signed_in_user_of_no_shop_is_sent_to_the_login(client, shops):
    client.force_login(get_user_model().objects.create_user("nobody"))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_platform_staff_see_every_shop(admin_client, shops):
    listed = admin_client.get("/admin/tasks_app/task/").context["cl"].result_list

    assert {task.shop.myshopify_domain for task in listed} == {"a-shop.myshopify.com", "b-shop.myshopify.com"}


def test_a_staff_user_without_the_view_all_shops_permission_sees_only_their_shops(client, shops):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("agency", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_task", content_type__app_label="tasks_app")
    )
    ShopMember.objects.create(user=user, shop=shops[1]["shop"])
    client.force_login(user)

    listed = client.get("/admin/tasks_app/task/").context["cl"].result_list
    assert [task.shop.myshopify_domain for task in listed] == ["b-shop.myshopify.com"]
    user.user_permissions.add(Permission.objects.get(codename="view_all_shops"))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    assert len(client.get("/admin/tasks_app/task/").context["cl"].result_list) == 2


def test_events_of_the_merchants_shop_only_reach_their_lists(merchant, shops):
    Event.objects.create(shop=shops[1]["shop"], topic="user/x/y", data={})

    listed = merchant.get("/admin/events/event/").context["cl"].result_list

    assert [event.shop.myshopify_domain for event in listed] == ["a-shop.myshopify.com"]
    assert Task.objects.count() == 2


def test_the_retry_endpoint_serves_a_merchant_their_shops_runs_only(merchant, shops):
    for data in shops:
        ActionRun.objects.filter(pk=data["actionrun"].pk).update(
            status="failed", ok=False, error="x", permanent=True
        )

    mine = merchant.post(f"/runs/{shops[0]['actionrun'].pk}/retry")
    theirs = merchant.post(f"/runs/{shops[1]['actionrun'].pk}/retry")

    assert (mine.status_code, mine.json()["status"]) == (200, "due")
    assert theirs.status_code == 404
    assert ActionRun.objects.get(pk=shops[1]["actionrun"].pk).status == "failed"
    assert merchant.post(f"/events/{shops[1]['event'].pk}/cancel").status_code == 404


def test_a_staff_user_cannot_connect_an_account_to_a_shop_they_do_not_belong_to(client, shops):
    user = get_user_model().objects.create_user("agency2", is_staff=True)
    ShopMember.objects.create(user=user, shop=shops[0]["shop"])
    client.force_login(user)

    theirs = client.post("/accounts/slack/login/?process=connect&shop=b-shop.myshopify.com")
    mine = client.post("/accounts/slack/login/?process=connect&shop=a-shop.myshopify.com")

    assert theirs.status_code == 404
    assert mine.status_code == 302


def test_the_shop_filter_and_connect_links_name_only_the_users_shops(merchant, shops):
    html = merchant.get("/admin/tasks_app/task/").content.decode()

    assert "a-shop.myshopify.com" in html
    assert "b-shop.myshopify.com" not in html
    assert ">Connect " not in merchant.get("/admin/integrations/connection/").content.decode()


def test_an_event_page_is_view_only(merchant, shops):
    event = shops[0]["event"]

    response = merchant.post(f"/admin/events/event/{event.pk}/change/", {"completed_at_0": "2020-01-01"})

    assert response.status_code == 403
    page = merchant.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert 'name="completed_at' not in page and 'name="_save"' not in page
