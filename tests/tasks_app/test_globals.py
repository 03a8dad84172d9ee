"""Shop globals: keys, storage, the Liquid ``globals`` object, ``global``/``secret`` options,
previews and the admin (spec/platform.md §5.1, §5.2, §5.4)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Event
from runs.engine import perform_run
from runs.models import EventRun, TaskRun
from tasks_app.models import Global, Secret, Task
from tasks_app.options import runtime_options
from tasks_app.preview import preview_task_definition

pytestmark = pytest.mark.django_db


def make_secret(shop, key, raw) -> Secret:
    secret = Secret(shop=shop, key=key)
    secret.set_value(raw)
    secret.save()
    return secret


def run_task(shop, script, options=None) -> TaskRun:
    Task.objects.create(
        shop=shop,
        name="Globals",
        subscriptions=["mechanic/user/trigger"],
        script=script,
        options=options or {},
        enabled=True,
    )
    event = Event.objects.ingest(shop, "mechanic/user/trigger", None, enqueue=False)
    (task_run,) = perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(task_run.pk))
    task_run.refresh_from_db()
    return task_run


# --- keys and storage ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "api_token", "x1_2", "a" * 64])
def test_lower_snake_case_keys_up_to_64_characters_are_valid(shop, key):
    Global(shop=shop, key=key, value=1).full_clean()
    Secret(shop=shop, key=key, encrypted_value="x").full_clean()


@pytest.mark.parametrize("key", ["", "1a", "_a", "Api", "api-token", "a b", "a\n", "a" * 65])
def test_other_keys_are_rejected(shop, key):
    with pytest.raises(ValidationError) as info:
        Global(shop=shop, key=key, value=1).full_clean()
    assert list(info.value.message_dict) == ["key"]
    with pytest.raises(ValidationError):
        Secret(shop=shop, key=key, encrypted_value="x").full_clean()


def test_keys_are_unique_per_shop_and_kind(shop):
    from integrations.models import Shop

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    Global.objects.create(shop=shop, key="api", value=1)
    Global.objects.create(shop=other, key="api", value=2)
    make_secret(shop, "api", "raw")

    with pytest.raises(IntegrityError), transaction.atomic():
        Global.objects.create(shop=shop, key="api", value=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_secret(shop, "api", "other")
    assert list(Global.objects.order_by("id").values_list("shop_id", "key", "value")) == [
        (shop.pk, "api", 1),
        (other.pk, "api", 2),
    ]
    assert list(Secret.objects.values_list("shop_id", "key")) == [(shop.pk, "api")]


def test_values_are_any_json_and_read_back_in_key_order(shop):
    Global.objects.create(shop=shop, key="rules", value={"z": 1, "a": [True, None, 1.5, "x"]})
    Global.objects.create(shop=shop, key="name", value="matt")
    Global.objects.create(shop=shop, key="nothing", value=None)

    assert list(Global.snapshot(shop).items()) == [
        ("name", "matt"),
        ("nothing", None),
        ("rules", {"z": 1, "a": [True, None, 1.5, "x"]}),
    ]
    assert list(Global.objects.get(key="rules").value) == ["z", "a"]


# --- Liquid -------------------------------------------------------------------------------------


def test_scripts_read_globals_as_structures_and_missing_ones_as_nil(shop):
    Global.objects.create(shop=shop, key="rules", value={"regions": ["eu", "us"], "limit": 3})
    Global.objects.create(shop=shop, key="name", value="matt")
    script = (
        "{% for region in globals.rules.regions %}{% log region %}{% endfor %}"
        "{% log globals.rules.limit | plus: 1 %}{% log globals.name %}{% log globals.missing %}"
        "{% if globals.missing == nil %}{% log 'nil' %}{% endif %}"
    )

    run = run_task(shop, script)

    assert (run.status, run.logs) == ("succeeded", ["eu", "us", 4, "matt", None, "nil"])


def test_global_and_secret_options_read_the_current_entries(shop):
    Global.objects.create(shop=shop, key="api_base", value={"url": "https://api.test"})
    make_secret(shop, "api_token", "s3cr3t")
    options = {
        "base__global_required": "api_base",
        "token__secret_required": "api_token",
        "old__global": "deleted_global",
        "gone__required_secret": "deleted_secret",
        "unset__global": None,
    }
    script = (
        "{% log options.base__global_required.url %}{% log options.token__secret_required %}"
        "{% log options.old__global %}{% log options.gone__required_secret %}{% log options.unset__global %}"
        '{% log "Bearer " | append: options.token__secret_required %}'
    )

    run = run_task(shop, script, options)

    ref = f"⟦secret:api_token:{run.secret_nonce}⟧"
    assert (run.status, run.logs) == (
        "succeeded",
        ["https://api.test", ref, None, None, None, f"Bearer {ref}"],
    )


def test_a_replaced_global_is_read_at_run_time_and_a_deleted_one_reads_nil(shop):
    entry = Global.objects.create(shop=shop, key="limit", value=1)
    options = {"limit__global": "limit"}
    first = run_task(shop, "{% log options.limit__global %}", options)
    entry.value = 2
    entry.save()

    event = Event.objects.ingest(shop, "mechanic/user/trigger", None, enqueue=False)
    (second,) = perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(second.pk))
    entry.delete()
    event = Event.objects.ingest(shop, "mechanic/user/trigger", None, enqueue=False)
    (third,) = perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(third.pk))

    second.refresh_from_db()
    third.refresh_from_db()
    assert [first.logs, second.logs, third.logs] == [[1], [2], [None]]


def test_runtime_options_look_up_global_and_secret_selections():
    stored = {
        "base__global": "api_base",
        "token__secret": "api_token",
        "gone__global": "missing",
        "none__secret": None,
        "text": "{{ x }}",
    }

    assert runtime_options(
        stored,
        lambda text: f"<{text}>",
        global_values={"api_base": [1, 2]},
        secret_references={"api_token": "⟦secret:api_token:n⟧"},
    ) == {
        "base__global": [1, 2],
        "token__secret": "⟦secret:api_token:n⟧",
        "gone__global": None,
        "none__secret": None,
        "text": "<{{ x }}>",
    }


# --- previews -----------------------------------------------------------------------------------

PREVIEW_TASK = {
    "name": "Shop values",
    "options": {"token__secret": "api_token", "base__global": "api_base"},
    "subscriptions": ["mechanic/user/trigger"],
    "script": (
        "{% log globals.api_base %}{% log secrets.api_token %}{% log options.base__global %}"
        "{% log options.token__secret %}"
    ),
}


def test_a_preview_with_a_stored_shop_sees_its_globals_and_throwaway_references(shop):
    Global.objects.create(shop=shop, key="api_base", value="https://api.test")
    make_secret(shop, "api_token", "s3cr3t")

    (first,) = preview_task_definition(PREVIEW_TASK, shop=shop)
    (second,) = preview_task_definition(PREVIEW_TASK, shop=shop)

    base, ref, option_base, option_ref = first.logs
    assert (base, option_base) == ("https://api.test", "https://api.test")
    assert re.fullmatch(r"⟦secret:api_token:[0-9a-f]{32}⟧", ref)
    assert option_ref == ref
    assert second.logs[1] != ref
    assert "s3cr3t" not in str(first.json_record())


def test_a_preview_on_the_built_in_shop_has_no_globals_or_secrets():
    (result,) = preview_task_definition(PREVIEW_TASK)

    assert result.logs == [None, None, None, None]


# --- admin --------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("text", "matt", "matt"),
        ("text", "line 1\r\nline 2", "line 1\nline 2"),
        ("text", '{"a": 1}', '{"a": 1}'),
        ("json", '{"b": 2, "a": [1, null]}', {"b": 2, "a": [1, None]}),
        ("json", "12.5", 12.5),
        ("json", "null", None),
    ],
)
def test_the_admin_stores_text_as_a_string_and_json_as_json(admin_client, shop, kind, text, value):
    response = admin_client.post(
        "/admin/tasks_app/global/add/", {"shop": shop.pk, "key": "g", "kind": kind, "text": text}
    )

    assert response.status_code == 302
    assert list(Global.objects.values_list("shop_id", "key", "value")) == [(shop.pk, "g", value)]


def test_the_admin_rejects_invalid_json_and_shows_globals(admin_client, shop):
    response = admin_client.post(
        "/admin/tasks_app/global/add/", {"shop": shop.pk, "key": "g", "kind": "json", "text": "{oops"}
    )
    assert response.status_code == 200
    assert "Not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)." in (
        response.content.decode()
    )
    assert Global.objects.count() == 0

    entry = Global.objects.create(shop=shop, key="rules", value={"limit": 3})
    changelist = admin_client.get("/admin/tasks_app/global/").content.decode()
    change = admin_client.get(f"/admin/tasks_app/global/{entry.pk}/change/").content.decode()
    assert "{&quot;limit&quot;: 3}" in changelist
    assert re.search(r'value="json"[^>]*checked', change)
    assert "&quot;limit&quot;: 3" in change
