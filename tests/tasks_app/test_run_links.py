"""Run links (issue 11, item 4; spec/platform.md §6.7): ``/app/tasks/run`` shows the resources, a mode
and the compatible tasks on GET (creating nothing), and on POST reads the resources from Shopify and
creates the events, one per resource or one for all, targeted at the picked tasks."""

import pytest
from django.contrib.auth import get_user_model

from events.models import Event
from integrations.models import Shop, ShopMember
from tasks_app.models import Task
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

ORDERS = "resource_type=order&ids[]=450789469&ids[]=450789470"


@pytest.fixture
def shop_with_tasks(shop, standin):
    single = Task.objects.create(
        shop=shop, name="Tag one order", enabled=True, subscriptions=["mechanic/user/order"], script=""
    )
    batch = Task.objects.create(
        shop=shop, name="Report orders", enabled=True, subscriptions=["mechanic/user/orders"], script=""
    )
    Task.objects.create(
        shop=shop, name="Disabled", enabled=False, subscriptions=["mechanic/user/order"], script=""
    )
    Task.objects.create(
        shop=shop, name="Customers", enabled=True, subscriptions=["mechanic/user/customer"], script=""
    )
    return shop, single, batch


def test_get_shows_the_resources_and_compatible_tasks_and_creates_nothing(admin_client, shop_with_tasks):
    response = admin_client.get(f"/app/tasks/run?{ORDERS}")

    assert response.status_code == 200
    assert response.context["ids"] == [450789469, 450789470]
    assert [task.name for task in response.context["tasks"]] == ["Report orders", "Tag one order"]
    assert not Event.objects.exists()


def test_individual_mode_makes_one_event_per_order_with_shopifys_data(admin_client, shop_with_tasks):
    shop, single, _batch = shop_with_tasks

    response = admin_client.post(f"/app/tasks/run?{ORDERS}", {"mode": "individual", "tasks": [single.pk]})

    assert response.status_code == 302
    events = list(Event.objects.order_by("created_at"))
    assert [event.topic for event in events] == ["mechanic/user/order", "mechanic/user/order"]
    assert [event.data["id"] for event in events] == [450789469, 450789470]
    assert events[0].data["email"] == "bob.norman@example.com"
    assert events[0].data["customer"]["email"] == "bob.norman@example.com"  # orders come with their customer
    assert all(event.task_ids == [str(single.pk)] for event in events)


def test_batch_mode_makes_one_event_with_every_order(admin_client, shop_with_tasks):
    _shop, _single, batch = shop_with_tasks

    admin_client.post(f"/app/tasks/run?{ORDERS}", {"mode": "batch", "tasks": [batch.pk]})

    event = Event.objects.get()
    assert event.topic == "mechanic/user/orders"
    assert [order["id"] for order in event.data] == [450789469, 450789470]
    assert event.task_ids == [str(batch.pk)]


def test_a_task_that_does_not_subscribe_to_the_modes_topic_is_refused(admin_client, shop_with_tasks):
    _shop, single, _batch = shop_with_tasks

    response = admin_client.post(f"/app/tasks/run?{ORDERS}", {"mode": "batch", "tasks": [single.pk]})

    assert response.status_code == 400
    assert response.context["error"] == (
        "tasks: Tag one order does not subscribe to mechanic/user/orders; pick the other mode"
    )
    assert not Event.objects.exists()


def test_products_carry_only_their_ids(admin_client, shop):
    task = Task.objects.create(
        shop=shop, name="P", enabled=True, subscriptions=["mechanic/user/products"], script=""
    )

    admin_client.post("/app/tasks/run?resource_type=product&ids[]=7", {"mode": "batch", "tasks": [task.pk]})

    assert Event.objects.get().data == [{"id": 7, "admin_graphql_api_id": "gid://shopify/Product/7"}]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "resource_type=planet&ids[]=1",
            "resource_type: expected one of customer, order, draft_order, product, variant, collection,"
            " got 'planet'",
        ),
        ("resource_type=order", "ids[]: no resource ids given"),
        ("resource_type=order&ids[]=12a", "ids[]: '12a' is not a numeric Shopify id"),
        (
            "resource_type=order&" + "&".join(f"ids[]={n}" for n in range(51)),
            "ids[]: at most 50 resources per run, got 51",
        ),
    ],
)
def test_a_bad_link_is_400_naming_the_parameter(admin_client, shop, query, error):
    response = admin_client.get(f"/app/tasks/run?{query}")

    assert response.status_code == 400
    assert response.context["error"] == error


def test_a_collection_runs_one_at_a_time(admin_client, shop):
    task = Task.objects.create(
        shop=shop, name="C", enabled=True, subscriptions=["mechanic/user/collection"], script=""
    )

    response = admin_client.get("/app/tasks/run?resource_type=collection&ids[]=3")

    assert [value for value, _label in response.context["form"].fields["mode"].choices] == ["individual"]
    assert task in response.context["tasks"]


def test_a_single_task_with_a_user_form_asks_for_its_inputs_first(admin_client, shop_with_tasks):
    shop, _single, _batch = shop_with_tasks
    task = Task.objects.create(
        shop=shop,
        name="Note orders",
        enabled=True,
        subscriptions=["mechanic/user/order"],
        script="",
        options={"note__userform_required": "default note"},
    )
    first = admin_client.post(f"/app/tasks/run?{ORDERS}", {"mode": "individual", "tasks": [task.pk]})

    assert first.status_code == 200
    assert list(first.context["inputs_form"].fields) == ["option__note__userform_required"]
    assert not Event.objects.exists()

    admin_client.post(
        f"/app/tasks/run?{ORDERS}",
        {"mode": "individual", "tasks": [task.pk], "inputs": "1", "option__note__userform_required": "rush"},
    )

    assert [event.input for event in Event.objects.all()] == [{"note": "rush"}, {"note": "rush"}]


def test_signing_in_is_required_and_a_merchant_sees_only_their_shop(client, shop_with_tasks):
    shop, single, _batch = shop_with_tasks
    response = client.get(f"/app/tasks/run?{ORDERS}")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    user = get_user_model().objects.create_user("merchant")
    ShopMember.objects.create(user=user, shop=other, role="owner")
    client.force_login(user)

    assert client.get(f"/app/tasks/run?{ORDERS}&shop={shop.myshopify_domain}").status_code == 404
    assert (
        client.post(
            f"/app/tasks/run?{ORDERS}&shop={shop.myshopify_domain}",
            {"mode": "individual", "tasks": [single.pk]},
        ).status_code
        == 404
    )
    assert not Event.objects.exists()


def test_the_manual_run_link_opens_the_tasks_run_page_with_the_text_prefilled(admin_client, shop):
    task = Task.objects.create(
        shop=shop, name="T", enabled=True, subscriptions=["mechanic/user/text"], script=""
    )

    response = admin_client.get(f"/app/tasks/{task.pk}/run?data=hello%20there", follow=True)

    assert response.redirect_chain[0][0] == f"/admin/tasks_app/task/{task.pk}/run/?data=hello+there"
    assert response.context["form"]["text"].value() == "hello there"
    assert not Event.objects.exists()
