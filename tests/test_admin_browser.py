"""The operator console in a real browser (Debian's chromium, driven by Playwright)."""

import os
import shutil

import pytest
from django.db import connections

from events.models import Event
from tasks_app.models import Task

CHROMIUM = "/usr/bin/chromium"
# Set to a folder to keep screenshots of the main screens (docs/screenshots/ holds the current set).
SCREENSHOTS_DIR = os.environ.get("HUB_SCREENSHOTS_DIR", "")


def shoot(page, name: str) -> None:
    """Save a full-page screenshot ``<name>.png`` when ``HUB_SCREENSHOTS_DIR`` is set."""
    if SCREENSHOTS_DIR:
        os.makedirs(SCREENSHOTS_DIR, exist_ok=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=os.path.join(SCREENSHOTS_DIR, f"{name}.png"), full_page=True)


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls from this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page()
        yield page
        browser.close()
        # While Playwright's event loop runs in this thread, Django keys connections by context, so
        # the test's ORM calls opened a connection of their own: close it, or it outlives the test
        # and PostgreSQL waits 5 s, then refuses to drop the test database.
        connections.close_all()


@pytest.fixture
def staff_login(live_server, django_user_model, browser_page):
    django_user_model.objects.create_superuser("staff", "staff@example.com", "correct-horse-battery")
    page = browser_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


@pytest.mark.django_db(transaction=True)
def test_staff_previews_a_task_and_runs_it(live_server, staff_login, shop):
    task = Task.objects.create(
        shop=shop,
        name="Say hello",
        enabled=True,
        subscriptions=["mechanic/user/trigger"],
        subscriptions_template="mechanic/user/trigger",
        script='{% log "previewing" %}{% action "echo", greeting: "hello" %}',
    )
    page = staff_login

    page.goto(f"{live_server.url}/admin/tasks_app/task/")
    page.click("text=Say hello")
    page.click("text=Preview")
    page.wait_for_selector("text=mechanic/user/trigger")
    body = page.inner_text("#content")
    assert '"greeting": "hello"' in body
    assert "previewing" in body

    page.goto(f"{live_server.url}/admin/tasks_app/task/{task.pk}/change/")
    page.click("text=Run task")
    page.wait_for_selector(".messagelist")
    event = Event.objects.get(topic="mechanic/user/trigger")
    assert event.task_ids == [str(task.pk)]
    assert f"queued event {event.pk}" in page.inner_text(".messagelist")


@pytest.mark.django_db(transaction=True)
def test_staff_sees_a_failed_event_and_retries_its_action_run_from_the_event_page(
    live_server, staff_login, shop
):
    from runs.models import ActionRun
    from tests.runs.engine_helpers import emit, make_task

    make_task(shop, name="Echo task", script='{% action "echo", n: 1 %}')
    event = emit(shop)
    ActionRun.objects.filter(task_run__event=event).update(
        status="failed", ok=False, error="boom", permanent=True
    )
    page = staff_login

    page.goto(f"{live_server.url}/admin/events/event/")
    assert page.locator("td.field-outcome_display").all_inner_texts() == ["failed"]
    shoot(page, "event-list")
    page.click(f"a[href='/admin/events/event/{event.pk}/change/']")
    page.get_by_role("button", name="Retry").click()
    page.wait_for_selector("ul.messagelist li.success")

    assert "will be retried." in page.locator("ul.messagelist").inner_text()
    shoot(page, "event-run-tree")
    assert ActionRun.objects.get(task_run__event=event).status == "due"
    assert page.locator("strong.outcome").inner_text() == "pending"
    if SCREENSHOTS_DIR:
        page.goto(f"{live_server.url}/admin/events/event/activity/")
        shoot(page, "activity")


@pytest.mark.django_db(transaction=True)
def test_the_task_editor_shows_an_options_form_and_a_live_preview(live_server, staff_login, shop):
    import json

    from tasks_app.importer import import_tasks
    from tests.conftest import TASKS_DIR

    export = json.loads((TASKS_DIR / "email-customer-when-order-paid.json").read_text())
    (imported,) = import_tasks(shop, export, options_override={"email_body__multiline_required": "Thanks"})
    page = staff_login

    page.goto(f"{live_server.url}/admin/tasks_app/task/{imported.task.pk}/change/")

    labels = page.locator("fieldset label[for^='id_option__']").all_inner_texts()
    assert [label.rstrip(":") for label in labels] == [
        "Required order tags at the time of payment",
        "Email subject",
        "Email body",
    ]
    editor = page.locator(".hub-code-editor[data-for='id_script']")
    assert editor.locator(".cm-lineNumbers .cm-gutterElement").nth(1).inner_text() == "1"  # line numbers
    assert editor.locator(".cm-content").inner_text().startswith("{% if event.preview %}")
    preview = page.get_by_role("region", name="Preview")
    preview.get_by_text("email action").first.wait_for(timeout=10_000)
    page.get_by_label("Email subject").fill("Your order is paid, new subject")
    preview.get_by_text("Your order is paid, new subject").first.wait_for(timeout=3_000)
    shoot(page, "task-editor")
    # An edit in the code editor reaches the form and the preview too.
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text("\n{% log 'typed in the editor' %}")
    preview.get_by_text("typed in the editor").first.wait_for(timeout=3_000)
    assert page.locator("#id_script").input_value().endswith("{% log 'typed in the editor' %}")
    # An error names its line, and a click there puts the cursor on it.
    page.keyboard.insert_text("\n{{ 1 | no_such_filter }}")
    jump = preview.locator("a.go-to-line").first
    jump.wait_for(timeout=3_000)
    line = int(jump.inner_text().split()[-1])
    jump.click()
    cursor_line = page.evaluate(
        "() => { const view = window.hubEditors.id_script;"
        " return view.state.doc.lineAt(view.state.selection.main.head).number; }"
    )
    assert cursor_line == line


@pytest.mark.django_db(transaction=True)
def test_staff_install_from_the_library_restore_a_version_and_use_the_liquid_console(
    live_server, staff_login, shop, settings
):
    from tests.conftest import TASKS_DIR

    settings.HUB_TASK_LIBRARY_DIR = str(TASKS_DIR)
    page = staff_login

    page.goto(f"{live_server.url}/admin/tasks_app/task/library/?q=auto-tag+orders+shipping+country")
    page.get_by_role("link", name="Auto-tag orders by shipping address country").click()
    page.get_by_role("button", name="Install").click()
    page.wait_for_selector("ul.messagelist li.success")
    task = Task.objects.get()
    assert page.url.endswith(f"/admin/tasks_app/task/{task.pk}/change/") and task.enabled is False

    task.script = "{% log 'changed' %}"
    task.save()  # version 2
    page.goto(f"{live_server.url}/admin/tasks_app/task/{task.pk}/versions/1/")
    page.get_by_role("button", name="Restore this version").click()
    page.wait_for_selector("ul.messagelist li.success")
    task.refresh_from_db()
    assert task.script != "{% log 'changed' %}" and task.versions.count() == 3

    page.goto(f"{live_server.url}/admin/tasks_app/task/console/")
    page.fill("#id_source", "{% assign n = 6 | times: 7 %}{{ n }} {{ shop.name }}")
    result = page.get_by_role("region", name="Result")
    result.locator(".console-output").get_by_text("42 Example Shop").wait_for(timeout=3_000)
    assert '"n": 42' in result.locator(".console-assigned").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_merchant_signed_in_sees_only_their_shop_and_cancels_a_queued_event(
    live_server, browser_page, shop
):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from integrations.models import Shop, ShopMember
    from tests.runs.engine_helpers import ingest, make_task

    other = Shop.objects.create(myshopify_domain="other-shop.myshopify.com")
    make_task(shop, name="Mine")
    make_task(other, name="Theirs")
    queued = ingest(shop)
    user = get_user_model().objects.create_user("merchant")
    ShopMember.objects.create(user=user, shop=shop, role="owner")
    client = Client()
    client.force_login(user)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/admin/tasks_app/task/")
    assert page.locator("th.field-name a").all_inner_texts() == ["Mine"]
    assert "other-shop" not in page.content()
    response = page.goto(
        f"{live_server.url}/admin/tasks_app/task/{Task.objects.get(name='Theirs').pk}/change/"
    )
    assert response.status == 404

    page.goto(f"{live_server.url}/admin/events/event/{queued.pk}/change/")
    page.get_by_role("button", name="Cancel event").click()
    page.wait_for_selector("ul.messagelist li.success")
    assert Event.objects.get(pk=queued.pk).run.status == "failed"
