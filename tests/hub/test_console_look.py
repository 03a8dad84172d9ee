"""The console's look (issue 10, item 8): Hub's stylesheet is the last one on every admin page,
and the sidebar lists Hub's own sections first, in the order work flows."""

import re

import pytest

pytestmark = pytest.mark.django_db


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


@pytest.mark.parametrize("url", ["/admin/", "/admin/tasks_app/task/add/", "/admin/events/event/"])
def test_hubs_stylesheet_comes_after_the_admins_own(admin_client, url):
    sheets = stylesheets(admin_client.get(url).content.decode())

    assert sheets[-1] == "/static/hub/console.css"
    assert "/static/admin/css/base.css" in sheets[:-1]


def test_the_change_page_loads_forms_css_before_hubs(admin_client):
    sheets = stylesheets(admin_client.get("/admin/tasks_app/task/add/").content.decode())

    assert sheets.index("/static/admin/css/forms.css") < sheets.index("/static/hub/console.css")


def test_hubs_sections_come_first_in_the_order_work_flows(admin_client):
    labels = [app["app_label"] for app in admin_client.get("/admin/").context["app_list"]]

    assert labels[:4] == ["tasks_app", "events", "runs", "integrations"]
    assert labels.index("auth") > labels.index("integrations")
    assert labels.index("django_q") > labels.index("integrations")
