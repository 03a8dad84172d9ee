"""The task editor's options form and live preview (issue 10, item 1; spec/platform.md §7.3, §9.3):
one field per option key of the right kind, values checked as the preview checks them, required
options before enabling, LF line endings, and the preview endpoint."""

import json

import pytest
from django import forms
from django.contrib.admin.models import LogEntry

from tasks_app.admin.options_form import PREFIX, option_field, read_options
from tasks_app.models import Task
from tasks_app.options import parse_option_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "kind", "widget", "label"),
    [
        ("email_subject__required", forms.CharField, forms.TextInput, "Email subject"),
        ("email_body__multiline_required", forms.CharField, forms.Textarea, "Email body"),
        ("send_now__boolean", forms.BooleanField, forms.CheckboxInput, "Send now"),
        ("size__choice_o1_small_o2_large", forms.ChoiceField, forms.Select, "Size"),
        ("days__multiselect_o1_mon_o2_tue", forms.MultipleChoiceField, forms.CheckboxSelectMultiple, "Days"),
        ("tags_by_country__keyval", forms.CharField, forms.Textarea, "Tags by country"),
        ("skus__array", forms.CharField, forms.Textarea, "Skus"),
        ("limit__number", forms.CharField, forms.TextInput, "Limit"),
    ],
)
def test_each_option_kind_gets_its_field(key, kind, widget, label):
    field = option_field(parse_option_key(key), None)

    assert type(field) is kind
    assert isinstance(field.widget, widget)
    assert field.label == label


def test_choices_and_json_values_are_shown_as_they_are_edited():
    choice = option_field(parse_option_key("size__choice_o1_small_o2_large"), "large")
    keyval = option_field(parse_option_key("tags__keyval"), {"CA": "ship-ca"})

    assert choice.choices == [("", "---------"), ("small", "small"), ("large", "large")]
    assert choice.initial == "large"
    assert json.loads(keyval.initial) == {"CA": "ship-ca"}


def test_values_are_checked_as_the_preview_checks_them():
    keys = ["limit__number", "tags__keyval", "email_subject__required", "flag__boolean"]
    data = {
        PREFIX + "limit__number": "12",
        PREFIX + "tags__keyval": "{not json",
        PREFIX + "email_subject__required": "",
        PREFIX + "flag__boolean": True,
    }

    options, errors = read_options(data, keys, enabled=True)

    assert options == {"limit__number": 12, "email_subject__required": None, "flag__boolean": True}
    assert errors[PREFIX + "tags__keyval"].startswith("not JSON: ")
    assert errors[PREFIX + "email_subject__required"] == "This option is required to enable the task."
    assert read_options(data, ["email_subject__required"], enabled=False)[1] == {}


@pytest.fixture
def task(shop):
    return Task.objects.create(
        shop=shop,
        name="Email",
        enabled=False,
        subscriptions=["user/test/go"],
        subscriptions_template="user/test/go",
        script='{% action "email", to: "a@b.c", subject: options.email_subject__required, body: "x" %}',
        options={"email_subject__required": "Hello"},
    )


def form_data(admin_client, task) -> dict:
    """What the change page's form would submit unchanged."""
    context = admin_client.get(f"/admin/tasks_app/task/{task.pk}/change/").context
    form = context["adminform"].form
    data = {}
    for inline in context["inline_admin_formsets"]:  # their management forms, as the page has them
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for inline_form in inline.formset.forms:
            values = {inline_form.add_prefix(name): inline_form[name].value() for name in inline_form.fields}
            data.update({name: value for name, value in values.items() if value is not None})
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value  # as the page shows it (JSON as text)
        if field.show_hidden_initial and value is not None:  # fields with callable defaults
            data[f"initial-{name}"] = value
    return data


def test_the_change_page_edits_options_through_their_fields(admin_client, task):
    data = {**form_data(admin_client, task), PREFIX + "email_subject__required": "New subject"}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.options == {"email_subject__required": "New subject"}


def test_a_required_option_left_empty_blocks_enabling(admin_client, task):
    data = {**form_data(admin_client, task), PREFIX + "email_subject__required": "", "enabled": "on"}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[PREFIX + "email_subject__required"] == [
        "This option is required to enable the task."
    ]
    task.refresh_from_db()
    assert task.enabled is False


def test_crlf_from_the_browser_is_stored_as_lf_and_ticking_enabled_changes_nothing_else(admin_client, task):
    Task.objects.filter(pk=task.pk).update(script="{% comment %}\nx\n{% endcomment %}\n" + task.script)
    data = form_data(admin_client, task)
    data["script"] = data["script"].replace("\n", "\r\n")
    data["enabled"] = "on"

    admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    task.refresh_from_db()
    assert task.enabled is True
    assert "\r" not in task.script
    entry = LogEntry.objects.filter(object_id=str(task.pk)).latest("action_time")
    assert entry.get_change_message() == "Changed Enabled."


def test_the_live_preview_renders_the_unsaved_edit(admin_client, task):
    data = {**form_data(admin_client, task), PREFIX + "email_subject__required": "Typed just now"}

    answer = admin_client.post(f"/admin/tasks_app/task/{task.pk}/preview.json", data).json()

    (result,) = answer["results"]
    assert result["topic"] == "user/test/go"
    assert [(action["type"], action["options"]["subject"]) for action in result["actions"]] == [
        ("email", "Typed just now")
    ]
    assert answer["option_errors"] == {}
    task.refresh_from_db()
    assert task.options == {"email_subject__required": "Hello"}  # nothing saved


def test_the_live_preview_reports_a_bad_option_value(admin_client, shop):
    task = Task.objects.create(
        shop=shop, name="N", subscriptions=["user/test/go"], script="{{ options.limit__number }}",
        options={"limit__number": 1},
    )  # fmt: skip

    answer = admin_client.post(
        f"/admin/tasks_app/task/{task.pk}/preview.json", {PREFIX + "limit__number": "many"}
    ).json()

    assert list(answer["option_errors"]) == [PREFIX + "limit__number"]


def test_run_task_shows_only_on_tasks_that_can_be_run(admin_client, task):
    assert "Run task" not in admin_client.get(f"/admin/tasks_app/task/{task.pk}/change/").content.decode()
    Task.objects.filter(pk=task.pk).update(subscriptions=["mechanic/user/trigger"])

    assert "Run task" in admin_client.get(f"/admin/tasks_app/task/{task.pk}/change/").content.decode()


def test_a_custom_error_check_in_the_preview_blocks_saving(admin_client, shop):
    task = Task.objects.create(
        shop=shop, name="Checked", subscriptions=["user/test/go"], subscriptions_template="user/test/go",
        script='{% if options.limit__number < 1 %}{% error "Limit must be positive" %}{% endif %}',
        options={"limit__number": 5},
    )  # fmt: skip
    data = {**form_data(admin_client, task), PREFIX + "limit__number": "0"}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "The preview of user/test/go refuses this: Limit must be positive"
    ]
    task.refresh_from_db()
    assert task.options == {"limit__number": 5}


def test_a_subscriptions_template_that_does_not_render_blocks_saving(admin_client, task):
    data = {**form_data(admin_client, task), "subscriptions_template": "not a topic line"}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subscriptions_template"]
    task.refresh_from_db()
    assert task.subscriptions_template == "user/test/go"


@pytest.mark.parametrize(
    ("key", "widget", "good", "stored", "bad"),
    [
        ("snippet__code", forms.Textarea, "{{ x }}", "{{ x }}", None),
        ("reply_to__email", forms.TextInput, "a@example.com", "a@example.com", None),
        ("start__date", forms.TextInput, "2026-01-02", "2026-01-02", "tomorrow"),
        ("at__datetime", forms.TextInput, "2026-01-02T03:04", "2026-01-02T03:04", "soon"),
        ("time_of_day__time", forms.TextInput, "03:04", "03:04", "noonish"),
        ("accent__color", forms.TextInput, "#ff0000", "#ff0000", "red"),
        ("percent__range_min0_max10", forms.TextInput, "5", 5, "11"),
        (
            "product__picker_product",
            forms.TextInput,
            "gid://shopify/Product/1",
            "gid://shopify/Product/1",
            "pen",
        ),
        ("api_key__global", forms.TextInput, "key", "key", None),
        ("token__secret", forms.TextInput, "key", "key", None),
        ("size__select_o1_small_o2_large", forms.Select, "small", "small", "huge"),
        ("weights__keyval_number", forms.Textarea, '{"a": "2"}', {"a": 2}, '{"a": "many"}'),
        ("emails__array_email", forms.Textarea, '["a@example.com"]', ["a@example.com"], "[1"),
    ],
)
def test_every_option_flag_gets_a_field_and_the_previews_checks(key, widget, good, stored, bad):
    spec = parse_option_key(key)
    field = option_field(spec, None)

    assert isinstance(field.widget, widget)
    options, errors = read_options({PREFIX + key: good}, [key], enabled=False)
    assert (options, errors) == ({key: stored}, {})
    if bad is not None:
        assert PREFIX + key in read_options({PREFIX + key: bad}, [key], enabled=False)[1]


@pytest.mark.parametrize(
    ("definitions", "message"),
    [
        ('{"topic": "user/test/go"}', "the value: expected an array, got an object"),
        ('[{"description": "one"}]', "[0].event_attributes: expected an object, got null"),
        (
            '[{"event_attributes": {"topic": "user/test/go"}}, {"event_attributes": {"data": {}}}]',
            "[1].event_attributes.topic: expected a string, got null",
        ),
        (
            '[{"description": 7, "event_attributes": {"topic": "a/b"}}]',
            "[0].description: expected a string, got a number",
        ),
    ],
)
def test_preview_event_definitions_of_the_wrong_shape_block_saving_with_their_json_path(
    admin_client, task, definitions, message
):
    data = {**form_data(admin_client, task), "preview_event_definitions": definitions}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["preview_event_definitions"] == [message]
    task.refresh_from_db()
    assert task.preview_event_definitions == []


def test_preview_event_definitions_of_the_right_shape_are_saved_and_previewed(admin_client, task):
    definitions = [{"description": "Go", "event_attributes": {"topic": "user/test/go", "data": {"n": 1}}}]
    data = {**form_data(admin_client, task), "preview_event_definitions": json.dumps(definitions)}

    response = admin_client.post(f"/admin/tasks_app/task/{task.pk}/change/", data)

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.preview_event_definitions == definitions
