"""Task versions, restore and duplicate (issue 10, item 2; spec/platform.md §9.3)."""

import pytest

from tasks_app.models import Task, TaskVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(shop):
    return Task.objects.create(
        shop=shop, name="T", subscriptions=["user/test/go"], subscriptions_template="user/test/go",
        script='{% action "echo", v: 1 %}',
    )  # fmt: skip


def test_every_save_that_changes_the_definition_makes_a_version(task):
    task.script = '{% action "echo", v: 2 %}'
    task.save()
    task.save()  # unchanged: no new version
    task.enabled = True
    task.save()  # enabling is not part of the definition

    assert list(task.versions.values_list("number", "data__script")) == [
        (2, '{% action "echo", v: 2 %}'),
        (1, '{% action "echo", v: 1 %}'),
    ]


def test_an_import_that_replaces_a_task_makes_a_version(task):
    from tasks_app.importer import import_tasks

    import_tasks(task.shop, {**task.export_data(), "script": '{% action "echo", v: 3 %}'}, replace=True)

    assert TaskVersion.objects.filter(task=task).count() == 2


def test_the_version_page_shows_what_changed_since_and_restores_it(admin_client, task):
    task.script = '{% action "echo", v: 2 %}'
    task.save()

    page = admin_client.get(f"/admin/tasks_app/task/{task.pk}/versions/1/").content.decode()
    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/versions/1/restore/")

    assert "-{% action &quot;echo&quot;, v: 1 %}" in page and "+{% action &quot;echo&quot;, v: 2 %}" in page
    assert response["Location"] == f"/admin/tasks_app/task/{task.pk}/change/"
    task.refresh_from_db()
    assert task.script == '{% action "echo", v: 1 %}'
    assert task.versions.first().number == 3  # the restore is a version too


def test_the_task_page_lists_its_versions(admin_client, task):
    html = admin_client.get(f"/admin/tasks_app/task/{task.pk}/change/").content.decode()

    assert f'href="/admin/tasks_app/task/{task.pk}/versions/1/"' in html


def test_another_shops_task_versions_are_404_for_a_merchant(client, shop, task):
    from django.contrib.auth import get_user_model

    from integrations.models import Shop, ShopMember

    user = get_user_model().objects.create_user("m")
    ShopMember.objects.create(user=user, shop=Shop.objects.create(myshopify_domain="m.myshopify.com"))
    client.force_login(user)

    assert client.get(f"/admin/tasks_app/task/{task.pk}/versions/1/").status_code == 404
    assert client.post(f"/admin/tasks_app/task/{task.pk}/versions/1/restore/").status_code == 404


def test_duplicate_makes_a_disabled_copy(admin_client, task):
    Task.objects.filter(pk=task.pk).update(enabled=True, options={"a": 1})

    admin_client.post("/admin/tasks_app/task/", {"action": "duplicate_tasks", "_selected_action": [task.pk]})

    copy = Task.objects.get(name="T (copy)")
    assert (copy.enabled, copy.script, copy.options, copy.subscriptions) == (
        False, task.script, {"a": 1}, ["user/test/go"],
    )  # fmt: skip
