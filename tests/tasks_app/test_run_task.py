"""Run task by hand from the task page (issue 10, item 2; spec/platform.md §7.11, §9.3): trigger
at once, a text prompt for ``mechanic/user/text``, the user form for ``mechanic/user/form``."""

import pytest

from events.models import Event
from tasks_app.models import Task

pytestmark = pytest.mark.django_db


def make(shop, topic: str, options: dict | None = None) -> Task:
    return Task.objects.create(
        shop=shop, name="Manual", enabled=True, subscriptions=[topic], subscriptions_template=topic,
        script='{% action "echo", n: 1 %}', options=options or {},
    )  # fmt: skip


def test_a_text_run_queues_the_text_for_this_task(admin_client, shop):
    task = make(shop, "mechanic/user/text")
    url = f"/admin/tasks_app/task/{task.pk}/run/"

    assert 'name="text"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"topic": "mechanic/user/text", "text": "line 1\r\nline 2"})

    event = Event.objects.get()
    assert (event.topic, event.data, event.task_ids) == (
        "mechanic/user/text",
        "line 1\nline 2",
        [str(task.pk)],
    )
    assert response["Location"] == f"/admin/tasks_app/task/{task.pk}/change/"


def test_a_form_run_shows_the_userform_options_prefilled_and_types_the_values(admin_client, shop):
    task = make(
        shop,
        "mechanic/user/form",
        {"name__userform_required": "Ada", "count__number_userform": 2, "private__number": 9},
    )
    url = f"/admin/tasks_app/task/{task.pk}/run/"

    form = admin_client.get(url).context["form"]
    assert [(name, field.initial) for name, field in form.fields.items()] == [
        ("option__name__userform_required", "Ada"),
        ("option__count__number_userform", 2),
    ]
    admin_client.post(url, {"topic": "mechanic/user/form", "option__name__userform_required": "Grace",
                            "option__count__number_userform": "3"})  # fmt: skip

    event = Event.objects.get()
    assert (event.topic, event.input, event.data) == (
        "mechanic/user/form", {"name": "Grace", "count": 3}, {"name": "Grace", "count": 3},
    )  # fmt: skip
    task.refresh_from_db()
    assert task.options["name__userform_required"] == "Ada"  # a run leaves the stored option alone


def test_a_required_userform_field_must_be_filled(admin_client, shop):
    task = make(shop, "mechanic/user/form", {"name__userform_required": "Ada"})

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/run/", {"topic": "mechanic/user/form"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"option__name__userform_required": ["This field is required."]}
    assert not Event.objects.exists()


def test_run_task_shows_only_where_a_subscription_allows_it(admin_client, shop):
    runnable, other = make(shop, "mechanic/user/text"), make(shop, "user/a/b")

    assert "Run task" in admin_client.get(f"/admin/tasks_app/task/{runnable.pk}/change/").content.decode()
    assert "Run task" not in admin_client.get(f"/admin/tasks_app/task/{other.pk}/change/").content.decode()
    assert (
        admin_client.get(f"/admin/tasks_app/task/{other.pk}/run/?topic=mechanic/user/text").status_code == 404
    )


def test_a_trigger_run_queues_at_once(admin_client, shop):
    task = make(shop, "mechanic/user/trigger")

    admin_client.post(f"/admin/tasks_app/task/{task.pk}/run/")

    assert Event.objects.get().topic == "mechanic/user/trigger"
