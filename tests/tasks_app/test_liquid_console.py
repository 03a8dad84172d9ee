"""The Liquid console (issue 10, item 6; spec/platform.md §9.8): output, assigned variables and
Shopify requests (at most 10), in a shop's or an event's context, for the user's shops only."""

import pytest

from integrations.models import Shop
from tasks_app.console import render_console
from tests.runs.engine_helpers import ingest
from tests.standin.standin_helpers import clock_fixture, standin_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_it_shows_the_output_and_what_was_assigned(shop):
    result = render_console(
        "{% assign x = 1 | plus: 2 %}{% capture y %}hi{% endcapture %}{{ x }} {{ shop.name }}", shop
    )

    assert (result.output, result.error) == ("3 Example Shop", None)
    assert result.assigned == {"x": 3, "y": "hi"}
    assert result.shopify_calls == []


def test_in_an_events_context_it_sees_the_event_and_its_subject(shop):
    event = ingest(shop, "shopify/orders/create", {"name": "#1001"})

    assert (
        render_console("{{ event.topic }} {{ order.name }}", shop, event).output
        == "shopify/orders/create #1001"
    )


def test_a_liquid_error_names_its_line(shop):
    result = render_console("ok\n{{ 1 | nope }}", shop)

    assert result.error.startswith("Liquid error (line 2")


def test_shopify_requests_are_made_and_listed_at_most_ten(standin, shop):
    Shop.objects.filter(pk=shop.pk).update(access_token="shpat_x")
    shop.refresh_from_db()
    read = '{% assign r = "query { shop { name } }" | shopify %}'

    one = render_console(read + "{{ r.data.shop.name }}", shop)
    many = render_console("{% for i in (1..12) %}" + read + "{% endfor %}", shop)

    assert one.output and one.error is None
    assert one.shopify_calls == [{"query": "query { shop { name } }", "variables": None}]
    assert many.error is not None and "at most 10 Shopify requests" in many.error
    assert len(many.shopify_calls) == 10


def test_the_page_and_its_endpoint_serve_the_users_shops(admin_client, shop):
    page = admin_client.get("/admin/tasks_app/task/console/")
    answer = admin_client.post(
        "/admin/tasks_app/task/console/render.json", {"shop": shop.pk, "source": "{{ 2 | times: 3 }}"}
    )

    assert page.status_code == 200
    assert 'aria-label="Result"' in page.content.decode()
    assert answer.json() == {"output": "6", "assigned": {}, "shopify_calls": [], "error": None}


def test_another_shops_event_is_a_404_for_a_merchant(client, shop):
    from django.contrib.auth import get_user_model

    from integrations.models import ShopMember

    user = get_user_model().objects.create_user("m")
    ShopMember.objects.create(user=user, shop=Shop.objects.create(myshopify_domain="m.myshopify.com"))
    client.force_login(user)
    event = ingest(shop, "user/a/b", {})

    assert client.get(f"/admin/tasks_app/task/console/?event={event.pk}").status_code == 404
    assert (
        client.post(
            "/admin/tasks_app/task/console/render.json", {"event": event.pk, "source": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post("/admin/tasks_app/task/console/render.json", {"shop": shop.pk, "source": "x"}).status_code
        == 404
    )
