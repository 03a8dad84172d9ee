"""hub-cli against a live Hub (issue 11, item 5; spec/platform.md §8.4): init, pull, status, diff, preview,
publish (unchanged, updated, created once with its idempotency key, refused with 409 after a change
in the admin), bundle/unbundle, globals and secrets, exit codes and ``--json``."""

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hub_cli.main import run

from api.models import ApiToken
from tasks_app.models import Global, Secret, Task

pytestmark = pytest.mark.django_db(transaction=True)

TASK = {
    "name": "Say hello",
    "script": '{% action "echo", greeting: options.greeting__required %}',
    "subscriptions": ["mechanic/user/trigger"],
    "options": {"greeting__required": "hello"},
}


@pytest.fixture
def hub(live_server, shop, monkeypatch, tmp_path):
    """A project folder initialised against the live server, signed in with a fresh token."""
    _token, raw = ApiToken.issue(shop, "CLI")
    monkeypatch.setenv("HUB_API_TOKEN", raw)
    monkeypatch.delenv("HUB_API_URL", raising=False)
    assert cli(tmp_path, "init", "--url", live_server.url, "--shop", shop.myshopify_domain) == (0, None)
    return tmp_path


def cli(folder: Path, *args: str) -> tuple[int, dict | None]:
    """Run hub-cli with --json in ``folder``; ``(exit code, the JSON document)``."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = run(["--json", "--dir", str(folder), *args])
    text = buffer.getvalue()
    return code, (json.loads(text) if args[0] != "init" else None)


def task_file(folder: Path, slug: str) -> Path:
    return folder / "tasks" / f"{slug}.json"


def test_init_writes_the_project_and_checks_the_token(hub, shop):
    config = json.loads((hub / "hub.json").read_text())
    assert config["shop"] == shop.myshopify_domain
    assert config["api_url"].startswith("http://")
    assert "token" not in config
    assert (hub / "tasks").is_dir()


def test_pull_then_publish_unchanged_then_refused_after_an_admin_change(hub, shop):
    task = Task.objects.create(
        shop=shop, name="Say hello", script='{% log "hi" %}', subscriptions=["mechanic/user/trigger"]
    )

    code, pulled = cli(hub, "tasks", "pull")
    assert (code, pulled) == (0, {"pulled": [{"slug": "say-hello", "id": str(task.pk), "result": "pulled"}]})
    assert json.loads(task_file(hub, "say-hello").read_text()) == task.export_data()

    code, published = cli(hub, "tasks", "publish")
    assert (code, published["published"][0]["result"]) == (0, "unchanged")

    Task.objects.filter(pk=task.pk).update(script='{% log "changed in the admin" %}')
    code, published = cli(hub, "tasks", "publish")
    assert code == 1
    assert published["published"][0]["result"] == "blocked"
    assert published["published"][0]["reason"].startswith(
        "409: The task changed since that content_hash was read"
    )
    assert Task.objects.get().script == '{% log "changed in the admin" %}'


def test_a_local_edit_is_published_and_the_status_follows(hub, shop):
    Task.objects.create(
        shop=shop, name="Say hello", script='{% log "hi" %}', subscriptions=["mechanic/user/trigger"]
    )
    cli(hub, "tasks", "pull")
    path = task_file(hub, "say-hello")
    export = json.loads(path.read_text())
    path.write_text(json.dumps({**export, "script": '{% log "edited" %}'}))

    assert cli(hub, "tasks", "status")[1]["tasks"][0]["state"] == "modified"
    assert (
        cli(hub, "tasks", "diff", "say-hello")[1]["diff"].count('+  "script": "{% log \\"edited\\" %}"') == 1
    )
    assert cli(hub, "tasks", "publish", "--dry-run")[1]["published"][0]["result"] == "would update"
    code, published = cli(hub, "tasks", "publish")

    assert (code, published["published"][0]["result"]) == (0, "updated")
    assert Task.objects.get().script == '{% log "edited" %}'
    assert cli(hub, "tasks", "status")[1]["tasks"][0]["state"] == "unchanged"


def test_a_new_local_task_is_created_once(hub, shop):
    code, created = cli(hub, "tasks", "new", "Brand new")
    assert code == 0
    task_file(hub, created["slug"]).write_text(json.dumps(TASK | {"name": "Brand new"}))

    assert cli(hub, "tasks", "publish")[1]["published"][0]["result"] == "created"
    assert cli(hub, "tasks", "publish")[1]["published"][0]["result"] == "unchanged"
    task = Task.objects.get()
    assert (task.name, task.enabled) == ("Brand new", False)
    links = json.loads((hub / ".hub" / "links.json").read_text())
    assert links["brand-new"]["id"] == str(task.pk)


def test_a_create_whose_answer_was_lost_is_not_made_twice(hub, shop):
    task_file(hub, "again").parent.mkdir(exist_ok=True)
    task_file(hub, "again").write_text(json.dumps(TASK))
    key = "6d4e5f2a-1b3c-4d5e-8f90-123456789abc"
    (hub / ".hub" / "links.json").write_text(json.dumps({"again": {"pending_key": key}}))
    Task.objects.create(
        pk=key, shop=shop, name="Say hello", script="", subscriptions=["mechanic/user/trigger"]
    )

    code, published = cli(hub, "tasks", "publish")

    assert (code, published["published"][0]) == (0, {"slug": "again", "id": key, "result": "created"})
    assert Task.objects.count() == 1


def test_preview_exit_codes(hub, shop):
    task_file(hub, "ok").parent.mkdir(exist_ok=True)
    task_file(hub, "ok").write_text(json.dumps(TASK))
    task_file(hub, "fails").write_text(json.dumps(TASK | {"script": '{% error "nope" %}'}))
    task_file(hub, "invalid").write_text(json.dumps(TASK | {"script": "{% if %}"}))

    code, answer = cli(hub, "tasks", "preview", "ok")
    assert code == 0
    assert [action["options"] for action in answer["results"][0]["actions"]] == [{"greeting": "hello"}]
    assert cli(hub, "tasks", "preview", "fails")[0] == 1
    code, refused = cli(hub, "tasks", "preview", "invalid")
    assert code == 2
    assert refused["error"]["status"] == 400
    assert not Task.objects.exists()


def test_unbundled_edits_block_publishing_until_bundled(hub, shop):
    task_file(hub, "split").parent.mkdir(exist_ok=True)
    task_file(hub, "split").write_text(json.dumps(TASK))
    cli(hub, "tasks", "unbundle", "split")
    folder = hub / "tasks" / "split"
    assert (folder / "script.liquid").read_text() == TASK["script"]
    (folder / "script.liquid").write_text('{% action "echo", greeting: "bundled" %}')

    code, published = cli(hub, "tasks", "publish")
    assert (code, published["published"][0]["result"]) == (1, "blocked")

    cli(hub, "tasks", "bundle", "split")
    assert (
        json.loads(task_file(hub, "split").read_text())["script"]
        == '{% action "echo", greeting: "bundled" %}'
    )
    assert cli(hub, "tasks", "publish")[1]["published"][0]["result"] == "created"


def test_globals_pull_push_and_set(hub, shop):
    Global.objects.create(shop=shop, key="color", value="red")

    assert cli(hub, "globals", "pull")[0] == 0
    assert json.loads((hub / "hub.globals.json").read_text()) == {"color": "red"}
    (hub / "hub.globals.json").write_text(json.dumps({"color": "blue", "size": 3}))
    assert cli(hub, "globals", "push")[1] == {"pushed": ["color", "size"]}  # local edits, Hub unchanged
    assert dict(Global.objects.values_list("key", "value")) == {"color": "blue", "size": 3}

    Global.objects.filter(key="color").update(value="green")  # changed in Hub since
    (hub / "hub.globals.json").write_text(json.dumps({"color": "black", "size": 3}))
    code, refused = cli(hub, "globals", "push")
    assert code == 1
    assert (
        refused["error"]["message"]
        == "changed in Hub since your last pull: color (globals push --force overwrites)"
    )
    assert cli(hub, "globals", "pull")[0] == 1  # local edits not pushed: pull refuses too
    assert cli(hub, "globals", "push", "--force")[1] == {"pushed": ["color"]}
    assert Global.objects.get(key="color").value == "black"
    assert cli(hub, "globals", "set", "flag", "true")[0] == 0
    assert Global.objects.get(key="flag").value is True
    assert cli(hub, "globals", "delete", "flag")[0] == 0


def test_secrets_set_from_the_environment_and_need_force_to_replace(hub, shop, monkeypatch):
    monkeypatch.setenv("MY_SECRET", "s3cr3t")

    assert cli(hub, "secrets", "set", "api_key", "--value-env", "MY_SECRET")[0] == 0
    code, refused = cli(hub, "secrets", "set", "api_key", "--value-env", "MY_SECRET")
    assert (code, refused["error"]["message"]) == (1, "api_key exists: secrets set --force replaces it")
    assert Secret.objects.get().reveal() == "s3cr3t"
    listed = cli(hub, "secrets", "list")[1]["secrets"]
    assert [row["key"] for row in listed] == ["api_key"]
    assert "s3cr3t" not in json.dumps(listed)


def test_a_wrong_token_prints_the_error_document(hub, monkeypatch):
    monkeypatch.setenv("HUB_API_TOKEN", "hub_wrong")

    code, document = cli(hub, "tasks", "list")

    assert code == 1
    assert document == {
        "error": {"message": "Invalid or revoked API token.", "status": 401, "retry_after_seconds": None}
    }


def test_the_console_script_runs_as_a_real_process(hub, shop):
    Task.objects.create(
        shop=shop, name="Say hello", script='{% log "hi" %}', subscriptions=["mechanic/user/trigger"]
    )
    script = Path(sys.executable).parent / "hub-cli"

    result = subprocess.run(  # noqa: S603  (the installed console script, fixed arguments)
        [str(script), "--dir", str(hub), "tasks", "pull"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "    pulled  tasks/say-hello.json\n"


def test_a_failing_preview_says_why_and_bad_stdin_is_invalid_input(hub, shop, monkeypatch, capsys):
    task_file(hub, "fails").parent.mkdir(exist_ok=True)
    task_file(hub, "fails").write_text(json.dumps(TASK | {"script": '{% error "boom" %}{% log "hi" %}'}))

    assert run(["--dir", str(hub), "tasks", "preview", "fails"]) == 1
    printed = capsys.readouterr().out
    assert 'error: "boom"' in printed
    assert 'log: "hi"' in printed

    monkeypatch.setattr("sys.stdin", io.StringIO("not json"))
    assert run(["--dir", str(hub), "tasks", "preview", "--stdin"]) == 2
    assert capsys.readouterr().err.startswith("error: standard input: not valid JSON")


def test_a_task_file_that_is_not_json_is_reported_invalid(hub):
    (hub / "tasks" / "broken.json").write_text("{oops")

    [state] = cli(hub, "tasks", "status")[1]["tasks"]

    assert (state["slug"], state["state"]) == ("broken", "invalid")
