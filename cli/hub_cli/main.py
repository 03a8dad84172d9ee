"""``hub-cli``: pull, preview and publish a shop's tasks, and manage its globals and secrets, through
Hub's task sync API (spec/platform.md §8.4).

Exit codes: 0 done; 1 something was refused or failed (a blocked publish, a failing preview, an API
error); 2 a problem with the input (an invalid task, a bad project file, a usage error). With
``--json``, stdout holds exactly one JSON document; a failure before normal output prints
``{"error": {"message", "status", "retry_after_seconds"}}``.
"""

import argparse
import difflib
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hub_cli.client import ApiError, Client
from hub_cli.project import (
    CONFIG,
    GLOBALS,
    GLOBALS_SEEN,
    LINKS,
    TASKS,
    Project,
    ProjectError,
    Refused,
    content_hash,
    load_settings,
    read_json,
    write_json,
)

NEW_TASK = {
    "script": '{% log "Hello from Hub" %}',
    "subscriptions": ["mechanic/user/trigger"],
    "subscriptions_template": "mechanic/user/trigger",
    "options": {},
    "docs": "",
    "tags": [],
}


class Output:
    """What a command reports: lines for people, one JSON document with ``--json``."""

    def __init__(self, as_json: bool):
        self.as_json = as_json

    def show(self, document: Any, lines: list[str]) -> None:
        if self.as_json:
            print(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            for line in lines:
                print(line)

    def fail(self, document: dict, line: str) -> None:
        """A failure: the JSON document on stdout with ``--json``, else the line on stderr."""
        if self.as_json:
            print(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            print(line, file=sys.stderr)


# --- tasks -------------------------------------------------------------------------------------


def remote_tasks(client: Client) -> dict[str, dict]:
    return {task["id"]: task for task in client.tasks()}


def task_states(project: Project, remote: dict[str, dict]) -> list[dict]:
    """Each task's state: ``new`` (local only), ``unchanged``, ``modified`` (local edits),
    ``behind`` (changed in Hub), ``conflict`` (both), ``remote only``, ``missing locally``."""
    states = []
    for slug in project.local_slugs():
        link = project.links.get(slug)
        try:
            project.read_task(slug)
        except ProjectError as exc:
            states.append(
                {"slug": slug, "id": (link or {}).get("id"), "state": "invalid", "reason": str(exc)}
            )
            continue
        if link is None or "id" not in link:
            states.append({"slug": slug, "id": None, "state": "new"})
            continue
        summary = remote.get(link["id"])
        local = project.locally_changed(slug)
        if summary is None:
            states.append({"slug": slug, "id": link["id"], "state": "missing in Hub"})
            continue
        behind = summary["content_hash"] != link.get("remote_hash")
        state = {(False, False): "unchanged", (True, False): "modified", (False, True): "behind"}.get(
            (local, behind), "conflict"
        )
        states.append({"slug": slug, "id": link["id"], "state": state, "name": summary["name"]})
    for task_id, summary in remote.items():
        if project.slug_of(task_id) is None:
            states.append({"slug": None, "id": task_id, "state": "remote only", "name": summary["name"]})
    return states


def _state(enabled: bool) -> str:
    return "enabled " if enabled else "disabled"


def cmd_tasks_list(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    remote = client.tasks()
    rows = [{**task, "slug": project.slug_of(task["id"])} for task in remote]
    out.show(
        {"tasks": rows},
        [f"{t['id']}  {_state(t['enabled'])}  {t['name']}  ({t['slug'] or 'not pulled'})" for t in rows],
    )
    return 0


def cmd_tasks_status(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    states = task_states(project, remote_tasks(client))
    out.show({"tasks": states}, [f"{s['state']:>15}  {s['slug'] or s['name']}" for s in states])
    return 0


def _selected(project: Project, remote: dict[str, dict], selectors: list[str]) -> list[str]:
    """Remote ids for selectors (ids or slugs); all remote tasks when none."""
    if not selectors:
        return list(remote)
    ids = []
    for selector in selectors:
        task_id = project.links.get(selector, {}).get("id") or selector
        if task_id not in remote:
            raise ProjectError(f"{selector}: no such task in Hub (a task id, or the slug of a pulled task)")
        ids.append(task_id)
    return ids


def cmd_tasks_pull(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    """Write each selected remote task to ``tasks/<slug>.json``; local edits are kept unless ``--force``."""
    remote = remote_tasks(client)
    report = []
    for task_id in _selected(project, remote, args.selectors):
        slug = project.slug_of(task_id)
        if slug and project.task_path(slug).exists() and project.locally_changed(slug) and not args.force:
            report.append(
                {"slug": slug, "id": task_id, "result": "kept local edits (pull --force replaces them)"}
            )
            continue
        envelope = client.task(task_id)
        slug = slug or project.new_slug(envelope["name"])
        up_to_date = (
            project.task_path(slug).exists()
            and content_hash(project.read_task(slug)) == envelope["content_hash"]
        )
        write_json(project.task_path(slug), envelope["task"])
        project.record(slug, task_id, envelope["content_hash"], envelope["task"])
        report.append({"slug": slug, "id": task_id, "result": "unchanged" if up_to_date else "pulled"})
    project.save_links()
    out.show({"pulled": report}, [f"{r['result']:>10}  tasks/{r['slug']}.json" for r in report])
    return 0


def cmd_tasks_new(args: argparse.Namespace, client: Client | None, project: Project, out: Output) -> int:
    slug = project.new_slug(args.name)
    write_json(project.task_path(slug), {**NEW_TASK, "name": args.name})
    out.show(
        {"slug": slug, "path": str(project.task_path(slug))},
        [f"created tasks/{slug}.json (publish to create it in Hub)"],
    )
    return 0


def cmd_tasks_diff(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    link = project.links.get(args.slug)
    local = project.read_task(args.slug)
    remote = client.task(link["id"])["task"] if link else {}

    def text(value: dict) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines(keepends=True)

    diff = "".join(difflib.unified_diff(text(remote), text(local), "hub", f"tasks/{args.slug}.json"))
    out.show({"slug": args.slug, "diff": diff}, [diff.rstrip("\n") or "no differences"])
    return 0


def cmd_tasks_preview(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    """Exit 0 when every preview run passed, 1 when one failed, 2 when Hub refuses the task."""
    if args.stdin:
        try:
            task, task_id = json.loads(sys.stdin.read()), None
        except ValueError as exc:
            raise ProjectError(f"standard input: not valid JSON: {exc}") from None
    elif not args.slug:
        raise ProjectError("tasks preview: name a task (its slug) or use --stdin")
    else:
        task, task_id = project.read_task(args.slug), project.links.get(args.slug, {}).get("id")
    try:
        answer = client.preview(task, task_id)
    except ApiError as exc:
        if exc.status == 400:
            out.show(exc.as_json(), [f"invalid: {exc}"])
            return 2
        raise
    lines = []
    for result in answer["results"]:
        mark = "ok" if result["ok"] else "FAILED"
        lines.append(f"{mark:>6}  {result['topic']}: {len(result['actions'])} action(s)")
        lines += [
            f"        {a['type']}: {json.dumps(a['options'], ensure_ascii=False)}" for a in result["actions"]
        ]
        if result.get("exception"):
            lines.append(f"        {result['exception']}")
        lines += [
            f"        error: {json.dumps(error, ensure_ascii=False)}" for error in result.get("errors") or []
        ]
        lines += [f"        log: {json.dumps(log, ensure_ascii=False)}" for log in result.get("logs") or []]
    lines.append("scopes: " + (", ".join(answer["permissions"]) or "none"))
    out.show(answer, lines)
    return 0 if answer["ok"] else 1


def _publish_one(client: Client, project: Project, slug: str, remote: dict, args: argparse.Namespace) -> dict:
    """Create or update one task; ``{"slug", "id", "result"}`` with result created, updated,
    unchanged or blocked (and why)."""
    if project.unbundled_edits(slug):
        return {
            "slug": slug,
            "result": "blocked",
            "reason": f"tasks/{slug}/ has edits not bundled (hub-cli tasks bundle {slug})",
        }
    local = project.read_task(slug)
    link = project.links.get(slug)
    if link is None or "id" not in link:
        if args.dry_run:
            return {"slug": slug, "result": "would create"}
        key = (link or {}).get("pending_key") or str(uuid.uuid4())
        project.links[slug] = {"pending_key": key}  # a retry after a lost answer reuses it
        project.save_links()
        envelope = client.create(local, key)
        project.record(slug, envelope["id"], envelope["content_hash"], local)
        return {"slug": slug, "id": envelope["id"], "result": "created"}
    summary = remote.get(link["id"])
    if summary is None:
        return {"slug": slug, "id": link["id"], "result": "blocked", "reason": "the task is no longer in Hub"}
    behind = summary["content_hash"] != link["remote_hash"]
    if not project.locally_changed(slug) and not behind:
        return {"slug": slug, "id": link["id"], "result": "unchanged"}
    if args.dry_run:
        result = "would be blocked" if behind and not args.force else "would update"
        return {"slug": slug, "id": link["id"], "result": result}
    try:  # Hub refuses (409) when the task changed there since the hash this project last saw
        envelope = client.update(link["id"], local, link["remote_hash"], force=args.force)
    except ApiError as exc:
        if exc.status == 409:
            reason = (
                f"409: {exc} (changed in Hub since your last pull: hub-cli tasks pull takes Hub's version)"
            )
            return {"slug": slug, "id": link["id"], "result": "blocked", "reason": reason}
        raise
    project.record(slug, link["id"], envelope["content_hash"], local)
    return {"slug": slug, "id": link["id"], "result": "updated"}


def cmd_tasks_publish(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    remote = remote_tasks(client)
    slugs = args.slugs or project.local_slugs()
    report = []
    for slug in slugs:
        try:
            report.append(_publish_one(client, project, slug, remote, args))
        except ApiError as exc:
            report.append({"slug": slug, "result": "failed", "reason": f"{exc.status}: {exc}"})
    project.save_links()
    lines = [
        f"{r['result']:>12}  tasks/{r['slug']}.json" + (f": {r['reason']}" if r.get("reason") else "")
        for r in report
    ]
    out.show({"published": report}, lines)
    return 1 if any(r["result"] in ("blocked", "failed") for r in report) else 0


def cmd_tasks_bundle(args: argparse.Namespace, client: Client | None, project: Project, out: Output) -> int:
    if args.command == "unbundle":
        folder = project.unbundle(args.slug)
        out.show(
            {"slug": args.slug, "folder": str(folder)}, [f"unbundled tasks/{args.slug}.json into {folder}/"]
        )
    else:
        project.bundle(args.slug)
        out.show({"slug": args.slug}, [f"bundled tasks/{args.slug}/ into tasks/{args.slug}.json"])
    return 0


# --- globals and secrets -------------------------------------------------------------------------


def cmd_globals(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    path = project.root / GLOBALS
    if args.action == "list":
        rows = client.globals()
        lines = [f"{r['key']} = {json.dumps(r['value'], ensure_ascii=False)}" for r in rows]
        out.show({"globals": rows}, lines or ["no globals"])
    elif args.action == "pull":
        remote = {row["key"]: row["value"] for row in client.globals()}
        seen = read_json(project.root / GLOBALS_SEEN) if (project.root / GLOBALS_SEEN).exists() else None
        if path.exists() and read_json(path) not in (remote, seen) and not args.force:
            raise Refused(
                f"{GLOBALS} has edits not pushed: globals push them, or globals pull --force drops them"
            )
        write_json(path, remote)
        write_json(project.root / GLOBALS_SEEN, remote)
        out.show({"globals": remote}, [f"wrote {GLOBALS} ({len(remote)} globals)"])
    elif args.action == "push":
        return _push_globals(client, project, args, out)
    elif args.action == "set":
        try:
            value = json.loads(args.value)
        except ValueError as exc:
            raise ProjectError(f"value: not JSON ({exc}); quote a string as '\"text\"'") from None
        out.show(client.set_global(args.key, value), [f"set {args.key}"])
    else:
        client.delete_global(args.key)
        out.show({"deleted": args.key}, [f"deleted {args.key}"])
    return 0


def _push_globals(client: Client, project: Project, args: argparse.Namespace, out: Output) -> int:
    """Upsert the keys of ``hub.globals.json`` whose value differs from Hub's; a key whose value
    changed in Hub since the last pull stops the push unless ``--force`` (keys not listed stay)."""
    local = read_json(project.root / GLOBALS)
    if not isinstance(local, dict):
        raise ProjectError(f"{GLOBALS}: expected an object of key → value")
    seen_path = project.root / GLOBALS_SEEN
    seen = read_json(seen_path) if seen_path.exists() else {}
    remote = {row["key"]: row["value"] for row in client.globals()}
    missing = object()
    changed_in_hub = sorted(
        key
        for key in local
        if key in remote and remote[key] != local[key] and remote[key] != seen.get(key, missing)
    )
    if changed_in_hub and not args.force:
        keys = ", ".join(changed_in_hub)
        raise Refused(f"changed in Hub since your last pull: {keys} (globals push --force overwrites)")
    pushed = [key for key in local if remote.get(key, missing) != local[key]]
    for key in pushed:
        client.set_global(key, local[key])
    write_json(seen_path, {**remote, **local})
    out.show({"pushed": pushed}, [f"pushed {key}" for key in pushed] or ["nothing to push"])
    return 0


def cmd_secrets(args: argparse.Namespace, client: Client, project: Project, out: Output) -> int:
    if args.action == "list":
        rows = client.secrets()
        out.show(
            {"secrets": rows},
            [f"{r['key']}  ({r['approximate_task_reference_count']} task references)" for r in rows],
        )
    elif args.action == "set":
        if args.from_stdin:
            value = sys.stdin.buffer.read().decode("utf-8")  # byte-exact: no newline stripped
        elif args.value_env:
            value = os.environ.get(args.value_env)
            if value is None:
                raise ProjectError(f"--value-env: the environment has no {args.value_env}")
        else:
            raise ProjectError("secrets set: give the value with --value-env NAME or --from-stdin")
        if any(row["key"] == args.key for row in client.secrets()) and not args.force:
            raise Refused(f"{args.key} exists: secrets set --force replaces it")
        client.set_secret(args.key, value)
        out.show({"set": args.key}, [f"set {args.key}"])
    else:
        client.delete_secret(args.key)
        out.show({"deleted": args.key}, [f"deleted {args.key}"])
    return 0


# --- init and the parser -------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, project: Project, out: Output) -> int:
    config: dict[str, Any] = {"api_url": args.url.rstrip("/")}
    if args.shop:
        config["shop"] = args.shop
    write_json(project.root / CONFIG, config)
    (project.root / TASKS).mkdir(exist_ok=True)
    write_json(project.root / LINKS, project.links)
    verified = None
    token = os.environ.get("HUB_API_TOKEN")
    if token:
        verified = Client(config["api_url"], token, shop=args.shop).verify()
    out.show(
        {"config": config, "verified": verified},
        [f"wrote {CONFIG}; tasks go in {TASKS}/"]
        + (
            [f"token works for {verified['shop']['myshopify_domain']}"]
            if verified
            else ["set HUB_API_TOKEN to sign in"]
        ),
    )
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="hub-cli", description="Hub's task sync client (spec/platform.md §8.4)."
    )
    main.add_argument("--json", action="store_true", help="print exactly one JSON document")
    main.add_argument("--dir", default=".", help="the project folder (default: the current one)")
    commands = main.add_subparsers(dest="group", required=True)

    init = commands.add_parser("init", help="write hub.json for a Hub URL (and shop)")
    init.add_argument("--url", required=True)
    init.add_argument("--shop")

    tasks = commands.add_parser(
        "tasks", help="list, pull, new, status, diff, preview, publish, bundle, unbundle"
    )
    sub = tasks.add_subparsers(dest="command", required=True)
    sub.add_parser("list")
    sub.add_parser("status")
    pull = sub.add_parser("pull")
    pull.add_argument("selectors", nargs="*", help="task ids or slugs (default: every task)")
    pull.add_argument("--force", action="store_true", help="replace local edits with Hub's version")
    new = sub.add_parser("new")
    new.add_argument("name")
    diff = sub.add_parser("diff")
    diff.add_argument("slug")
    preview = sub.add_parser("preview")
    preview.add_argument("slug", nargs="?")
    preview.add_argument("--stdin", action="store_true", help="preview the task JSON on standard input")
    publish = sub.add_parser("publish")
    publish.add_argument("slugs", nargs="*")
    publish.add_argument("--dry-run", action="store_true")
    publish.add_argument("--force", action="store_true", help="publish over changes made in Hub")
    for name in ("bundle", "unbundle"):
        sub.add_parser(name).add_argument("slug")

    globals_ = commands.add_parser("globals", help="pull, push, list, set, delete")
    gsub = globals_.add_subparsers(dest="action", required=True)
    gsub.add_parser("list")
    gsub.add_parser("pull").add_argument("--force", action="store_true")
    gsub.add_parser("push").add_argument("--force", action="store_true")
    gset = gsub.add_parser("set")
    gset.add_argument("key")
    gset.add_argument("value", help="a JSON value")
    gsub.add_parser("delete").add_argument("key")

    secrets = commands.add_parser("secrets", help="list, set, delete (values never touch disk)")
    ssub = secrets.add_subparsers(dest="action", required=True)
    ssub.add_parser("list")
    sset = ssub.add_parser("set")
    sset.add_argument("key")
    sset.add_argument("--value-env", help="the environment variable holding the value")
    sset.add_argument(
        "--from-stdin", action="store_true", help="read the value from standard input, byte-exact"
    )
    sset.add_argument("--force", action="store_true", help="replace an existing secret")
    ssub.add_parser("delete").add_argument("key")
    return main


TASK_COMMANDS: dict[str, Callable[[argparse.Namespace, Any, Project, Output], int]] = {
    "list": cmd_tasks_list,
    "status": cmd_tasks_status,
    "pull": cmd_tasks_pull,
    "new": cmd_tasks_new,
    "diff": cmd_tasks_diff,
    "preview": cmd_tasks_preview,
    "publish": cmd_tasks_publish,
    "bundle": cmd_tasks_bundle,
    "unbundle": cmd_tasks_bundle,
}
OFFLINE = {"new", "bundle", "unbundle"}  # commands that need no Hub


def run(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit code."""
    args = parser().parse_args(argv)
    out = Output(args.json)
    project_root = Path(args.dir)
    try:
        project = Project(project_root)
        if args.group == "init":
            return cmd_init(args, project, out)
        if args.group == "tasks" and args.command in OFFLINE:
            return TASK_COMMANDS[args.command](args, None, project, out)
        settings = load_settings(project_root)
        client = Client(settings.api_url, settings.token, shop=settings.shop)
        if args.group == "tasks":
            return TASK_COMMANDS[args.command](args, client, project, out)
        handler = cmd_globals if args.group == "globals" else cmd_secrets
        return handler(args, client, project, out)
    except ApiError as exc:
        out.fail(exc.as_json(), f"error: {exc} (HTTP {exc.status})" if exc.status else f"error: {exc}")
        return 1
    except Refused as exc:
        out.fail(
            {"error": {"message": str(exc), "status": None, "retry_after_seconds": None}}, f"refused: {exc}"
        )
        return 1
    except ProjectError as exc:
        out.fail(
            {"error": {"message": str(exc), "status": None, "retry_after_seconds": None}}, f"error: {exc}"
        )
        return 2


def main() -> None:
    """The ``hub-cli`` console script."""
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:  # `hub-cli tasks list | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)
