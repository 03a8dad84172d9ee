"""The task library in the console (issue 10, item 3): browse ``HUB_TASK_LIBRARY_DIR``, search by
name, tag and topic, read the docs and a preview, install into a shop disabled."""

import json

import pytest

from tasks_app.models import Task
from tests.conftest import TASKS_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _library(settings):
    settings.HUB_TASK_LIBRARY_DIR = str(TASKS_DIR)


def listed(admin_client, query: str = "") -> list[str]:
    response = admin_client.get("/admin/tasks_app/task/library/", {"q": query} if query else {})
    return [item.slug for item in response.context["found"]]


def test_the_library_lists_every_task_export_of_the_folder(admin_client):
    assert len(listed(admin_client)) == len(list(TASKS_DIR.glob("*.json")))


def test_search_matches_name_tag_and_topic_words(admin_client):
    by_name = listed(admin_client, "auto-tag orders by shipping address country")
    by_topic = listed(admin_client, "shopify/orders/paid email")

    assert by_name == ["auto-tag-orders-by-shipping-address-country"]
    assert "email-customer-when-order-paid" in by_topic
    assert all(
        "shopify/orders/paid"
        in " ".join(json.loads((TASKS_DIR / f"{slug}.json").read_text())["subscriptions"])
        for slug in by_topic
    )
    assert listed(admin_client, "no-such-words-anywhere") == []


def test_an_entry_shows_its_docs_preview_and_install_form(admin_client, shop):
    html = admin_client.get("/admin/tasks_app/task/library/email-customer-when-order-paid/").content.decode()

    assert "<h2>Documentation</h2>" in html
    assert "email: " in html  # the preview's email action
    assert f'<option value="{shop.pk}">example.myshopify.com</option>' in html


def test_install_creates_the_task_disabled_and_opens_its_editor(admin_client, shop):
    response = admin_client.post(
        "/admin/tasks_app/task/library/email-customer-when-order-paid/install/", {"shop": shop.pk}
    )

    task = Task.objects.get()
    assert (task.name, task.enabled, task.shop) == ("Email customer when their order is paid", False, shop)
    assert response["Location"] == f"/admin/tasks_app/task/{task.pk}/change/"


def test_an_unknown_entry_is_a_404_and_without_a_folder_the_page_says_so(admin_client, settings):
    assert admin_client.get("/admin/tasks_app/task/library/nope/").status_code == 404
    settings.HUB_TASK_LIBRARY_DIR = ""

    html = admin_client.get("/admin/tasks_app/task/library/").content.decode()

    assert "No task library: set <code>HUB_TASK_LIBRARY_DIR</code>" in html
