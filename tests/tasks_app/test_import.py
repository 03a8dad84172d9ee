"""Importing task exports: ``import_tasks`` and ``manage.py import_task`` (spec/platform.md §7.2)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tasks_app.importer import TaskImportError, import_tasks
from tasks_app.models import Task
from tests.conftest import TASKS_DIR

ATTRIBUTES_TASK = TASKS_DIR / "auto-remove-attributes-on-new-orders-after-x-minutes.json"


def small_task(**fields) -> dict:
    task = {
        "name": "Tag new orders",
        "script": (
            '{% if options.days__number > 0 %}{"log": "waiting {{ options.days__number }} days"}{% endif %}'
            "{{ options.tag__required }}{{ options.notify__boolean }}"
        ),
        "options": {"days__number": "3", "tag__required": "vip", "notify__boolean": None},
        "subscriptions_template": "shopify/orders/create",
        "docs": "Tags orders.",
    }
    task.update(fields)
    return task


def run_import(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_task", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, name: str, value) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


def test_it_stores_a_library_task_with_coerced_options_and_rendered_subscriptions(shop):
    [imported] = import_tasks(shop, ATTRIBUTES_TASK.read_text(), source_name=ATTRIBUTES_TASK.name)
    task = Task.objects.get(pk=imported.task.pk)
    source = json.loads(ATTRIBUTES_TASK.read_text())
    assert imported.created is True
    assert task.shop == shop
    assert task.enabled is False
    assert task.name == "Auto-remove attributes on new orders after X minutes"
    assert task.options == {
        "minutes_to_wait_before_removing_order_attributes__number_required": 15,
        "order_attributes_to_remove__array": None,
        "remove_all_order_attributes__boolean": False,
        "only_run_for_paid_orders__boolean": False,
    }
    # The export's stale "+0.minutes" is recomputed from the template and the options.
    assert task.subscriptions == ["shopify/orders/create+15.minutes"]
    assert task.subscriptions_template == source["subscriptions_template"]
    assert task.script == source["script"]
    assert task.docs == source["docs"]
    assert task.tags == ["Order Attributes", "Orders"]
    assert task.preview_event_definitions == []
    assert task.perform_action_runs_in_sequence is False
    assert task.online_store_javascript is None
    assert imported.warnings == []


def test_options_override_changes_the_rendered_subscriptions(shop, tmp_path):
    out, err = run_import(ATTRIBUTES_TASK, "--options", '{"only_run_for_paid_orders__boolean": "true"}')
    task = Task.objects.get()
    assert task.options["only_run_for_paid_orders__boolean"] is True
    assert task.subscriptions == ["shopify/orders/paid+15.minutes"]
    assert out == f'Created task "{task.name}" ({task.id}), disabled\n'
    assert err == ""


def test_unused_option_overrides_are_reported(shop, tmp_path):
    path = write(tmp_path, "task.json", small_task())
    _, err = run_import(path, "--options", '{"tag__required": "gold", "nope": 1}')
    assert Task.objects.get().options["tag__required"] == "gold"
    assert err == "warning: --options: 'nope' is not an option of any imported task\n"


def test_subscriptions_come_from_the_lines_when_the_template_is_null(shop):
    [imported] = import_tasks(
        shop,
        small_task(
            subscriptions_template=None,
            subscriptions=["mechanic/scheduler/daily+2.hours", "mechanic/user/trigger"],
        ),
    )
    assert imported.task.subscriptions == ["mechanic/scheduler/daily+2.hours", "mechanic/user/trigger"]
    assert imported.task.subscriptions_template == "mechanic/scheduler/daily+2.hours\nmechanic/user/trigger"


def test_subscription_templates_see_shop_and_options(shop):
    template = (
        "{% if shop.myshopify_domain == 'example.myshopify.com' %}mechanic/user/trigger{% endif %}\n"
        "user/{{ options.subject__required }}/done\n\n"
        "mechanic/user/trigger"
    )
    [imported] = import_tasks(
        shop,
        small_task(
            script="{{ options.subject__required }}",
            options={"subject__required": "orders"},
            subscriptions_template=template,
        ),
    )
    assert imported.task.subscriptions == ["mechanic/user/trigger", "user/orders/done"]


def test_option_values_are_not_rendered_in_subscription_templates(shop):
    template = (
        "{% if options.note contains '{{' %}mechanic/user/text{% else %}mechanic/user/trigger{% endif %}"
    )
    [imported] = import_tasks(
        shop, small_task(script="", options={"note": "{{ shop.name }}"}, subscriptions_template=template)
    )
    assert imported.task.subscriptions == ["mechanic/user/text"]


def test_enable_enables_complete_tasks_and_names_missing_options(shop, tmp_path):
    complete = small_task(name="Complete")
    incomplete = small_task(name="Incomplete", options={"days__number": 1, "tag__required": "  "})
    out, err = run_import(write(tmp_path, "tasks.json", [complete, incomplete]), "--enable")
    done, pending = Task.objects.get(name="Complete"), Task.objects.get(name="Incomplete")
    assert done.enabled is True
    assert pending.enabled is False
    assert out.splitlines() == [
        f'Created task "Complete" ({done.id}), enabled',
        f'Created task "Incomplete" ({pending.id}), disabled; missing required options: tag__required',
    ]


def test_a_name_that_exists_gets_a_second_task(shop, tmp_path):
    path = write(tmp_path, "task.json", small_task())
    run_import(path)
    run_import(path)
    assert Task.objects.filter(name="Tag new orders").count() == 2


def test_replace_updates_the_existing_task(shop, tmp_path):
    run_import(write(tmp_path, "v1.json", small_task()))
    original = Task.objects.get()
    original.enabled = True
    original.save()
    out, _ = run_import(
        write(tmp_path, "v2.json", small_task(options={"days__number": 9, "tag__required": "gold"})),
        "--replace",
    )
    task = Task.objects.get()
    assert task.pk == original.pk
    assert task.options == {"days__number": 9, "tag__required": "gold", "notify__boolean": None}
    assert task.enabled is True  # nothing required is missing, so it stays enabled
    assert out == f'Replaced task "Tag new orders" ({task.id}), enabled\n'


def test_unknown_keys_and_unreferenced_options_are_dropped_with_warnings(shop, tmp_path):
    path = write(
        tmp_path, "task.json", small_task(extra_field=1, options={"tag__required": "vip", "old_option": "x"})
    )
    out, err = run_import(path)
    assert err.splitlines() == [
        f"warning: {path}: $: unknown key 'extra_field' ignored",
        f"warning: {path}: $.options.old_option: not referenced by the task, dropped",
    ]
    assert Task.objects.get().options == {
        "days__number": None,
        "tag__required": "vip",
        "notify__boolean": None,
    }


def test_it_accepts_app_exports_with_nulls(shop):
    [imported] = import_tasks(
        shop,
        small_task(
            docs=None,
            tags=None,
            options=None,
            preview_event_definitions=None,
            shopify_api_version="2024-10",
            liquid_profiling=True,
            perform_action_runs_in_sequence=None,
        ),
    )
    task = imported.task
    assert (task.docs, task.tags, task.preview_event_definitions) == ("", [], [])
    assert (task.shopify_api_version, task.liquid_profiling) == ("2024-10", True)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ('[{"name": "A", "script": ""}, {"name": ', "invalid JSON at line 1 column 40: Expecting value"),
        ("[]", "$: an empty array: no task in the file"),
        ("42", "$: expected a task object, got a number"),
        ('[{"name": "A", "script": ""}, "B"]', "$[1]: expected a task object, got a string"),
        ('{"script": ""}', "$.name: a task needs a non-empty name"),
        ('{"name": "A"}', "$.script: expected a string, got null"),
        ('{"name": "A", "script": "", "tags": "x"}', "$.tags: expected an array of strings, got a string"),
        ('{"name": "A", "script": "", "options": []}', "$.options: expected an object, got an array"),
        (
            '{"name": "A", "script": "", "perform_action_runs_in_sequence": "yes"}',
            "$.perform_action_runs_in_sequence: expected true, false or null, got a string",
        ),
        (
            '{"name": "A", "script": "", "subscriptions_template": "shopify/orders/create\\nnot a topic"}',
            "$.subscriptions_template: line 2: invalid subscription 'not a topic': "
            "expected domain/subject/verb[+N.unit]",
        ),
        (
            '{"name": "A", "script": "", "subscriptions_template": null, "subscriptions": ["x+1.day"]}',
            "$.subscriptions: line 1: invalid subscription 'x+1.day': expected domain/subject/verb[+N.unit]",
        ),
        (
            '{"name": "A", "script": "", "preview_event_definitions": [{"description": "d"}]}',
            "$.preview_event_definitions[0].event_attributes: expected an object, got null",
        ),
        (
            '{"name": "A", "script": "{{ options.a__number }}{{ options.a__boolean }}"}',
            "$.script: option a__boolean: same option name as a__number with different flags",
        ),
        (
            '{"name": "A", "script": "{{ options.x__range_min5 }}"}',
            "$.script: option x__range_min5: a range needs min and max (range_min0_max10)",
        ),
    ],
)
def test_bad_payloads_are_rejected_with_the_json_path(shop, payload, message):
    with pytest.raises(TaskImportError) as info:
        import_tasks(shop, payload, source_name="tasks.json")
    assert str(info.value) == f"tasks.json: {message}"
    assert Task.objects.count() == 0


def test_a_bad_file_imports_nothing_and_other_files_still_import(shop, tmp_path):
    good = write(tmp_path, "good.json", small_task(name="Good"))
    bad = write(
        tmp_path,
        "tasks.json",
        [small_task(name="First"), small_task(name="Second", options={"days__number": "ten"})],
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_task", bad, good, stdout=out, stderr=err)
    assert err.getvalue() == (
        f"{bad}: $[1].options.days__number: 'ten' is not a number (nothing imported from this file)\n"
    )
    assert str(info.value) == "1 of 2 file(s) not imported"
    assert list(Task.objects.values_list("name", flat=True)) == ["Good"]


def test_element_errors_name_the_element(shop):
    task = small_task(script="{{ options.ids__array_number }}", options={"ids__array_number": ["1", "two"]})
    with pytest.raises(TaskImportError) as info:
        import_tasks(shop, [task], source_name="tasks.json")
    assert str(info.value) == "tasks.json: $[0].options.ids__array_number[1]: 'two' is not a number"


def test_shop_may_be_omitted_only_when_one_exists(db, tmp_path):
    path = write(tmp_path, "task.json", small_task())
    with pytest.raises(CommandError) as info:
        run_import(path)
    assert str(info.value) == "no shop exists; create one with: manage.py create_shop DOMAIN"


def test_shop_is_chosen_by_domain(shop, tmp_path):
    from integrations.models import Shop

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    path = write(tmp_path, "task.json", small_task())
    with pytest.raises(CommandError):
        run_import(path)
    run_import(path, "--shop", "other")
    assert Task.objects.get().shop == other


def test_bad_options_argument_is_reported(shop, tmp_path):
    path = write(tmp_path, "task.json", small_task())
    with pytest.raises(CommandError) as info:
        run_import(path, "--options", "[1]")
    assert str(info.value) == "--options: expected a JSON object of option values by key"


@pytest.mark.slow
def test_every_library_task_imports(shop):
    paths = sorted(TASKS_DIR.glob("*.json"))
    assert len(paths) == 300
    for path in paths:
        import_tasks(shop, path.read_bytes(), source_name=path.name)
    assert Task.objects.count() == 300


def test_a_script_that_does_not_parse_is_refused_with_its_line_and_column(shop):
    from tasks_app.importer import TaskImportError, import_tasks

    task = {"name": "Broken", "options": {}, "script": "{% log 'ok' %}\n{% if x %}\n{{ 1 | upcse }}\n"}

    with pytest.raises(TaskImportError) as caught:
        import_tasks(shop, [task], source_name="broken.json")

    assert str(caught.value).startswith("broken.json: $[0].script: Liquid error (line 3, column ")
    assert "unknown filter 'upcse'; did you mean 'upcase'?" in str(caught.value)
    assert not Task.objects.exists()


def test_a_replace_keeps_the_tasks_filled_options_and_enabled_state_unless_the_file_sets_them(shop):
    from tasks_app.importer import import_tasks

    export = {
        "name": "Replace me",
        "script": '{% action "echo", a: options.a__required, b: options.b %}',
        "subscriptions": ["user/test/go"],
        "subscriptions_template": "user/test/go",
        "options": {"a__required": None, "b": "from file"},
    }
    (first,) = import_tasks(shop, export, options_override={"a__required": "filled"}, enable=True)
    assert first.task.enabled is True

    (second,) = import_tasks(shop, export, replace=True)

    task = Task.objects.get(pk=first.task.pk)
    assert (second.created, task.enabled) == (False, True)
    assert task.options == {"a__required": "filled", "b": "from file"}
    (third,) = import_tasks(shop, {**export, "options": {"a__required": "new", "b": None}}, replace=True)
    assert Task.objects.get(pk=first.task.pk).options == {"a__required": "new", "b": "from file"}
