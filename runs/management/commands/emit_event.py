"""``manage.py emit_event TOPIC``: create an event, optionally performing its runs in-process."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from events.params import ParamsError, parse_json
from events.topics import TOPIC_RE
from hub.jsontypes import JSON
from integrations.shops import ShopError, resolve_shop
from runs.inline import perform_event_now
from runs.reports import event_report


class Command(BaseCommand):
    """``emit_event``: create an event, with ``--sync`` performing its due runs in-process."""

    help = (
        "Create an event. With --sync, perform its due runs in this process: those of its child "
        "events too (event actions, follow-ups, error events), retries whose delay has passed and "
        "the next actions of sequences; runs scheduled for later stay scheduled. --json prints the "
        "event, its runs with their attempts, and its child events."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("topic", help="domain/subject/verb, e.g. shopify/orders/paid")
        parser.add_argument("--data", help="Event data as JSON, or @FILE to read it from a file")
        parser.add_argument("--shop", help="Shop domain (may be left out when there is one shop)")
        parser.add_argument("--sync", action="store_true", help="Perform the runs now, in-process")
        parser.add_argument("--json", action="store_true", help="Print one JSON object on stdout")

    def handle(self, *args: Any, **opts: Any) -> None:
        topic = opts["topic"].strip()
        if not TOPIC_RE.fullmatch(topic):
            raise CommandError(f"invalid topic {topic!r}: expected domain/subject/verb in [a-z0-9_]")
        data = self.read_data(opts["data"])
        try:
            shop = resolve_shop(opts["shop"])
        except ShopError as exc:
            raise CommandError(str(exc)) from None
        source = topic.split("/", 1)[0] if topic.startswith("shopify/") else "user"
        fields = {"shopify_topic": topic} if topic.startswith("shopify/") else {}
        event = Event.objects.ingest(shop, topic, data, source=source, enqueue=not opts["sync"], **fields)
        if opts["sync"]:
            perform_event_now(event)
        event.refresh_from_db()
        report = event_report(event)
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.write_report(report)

    def write_report(self, report: dict[str, Any], indent: str = "") -> None:
        """The report as indented lines: the event, its task runs and action runs, its child events."""
        event = report["event"]
        self.stdout.write(
            f"{indent}Event {event['id']} {event['topic']}: event run {report['event_run']['status']}"
        )
        for task_run in report["task_runs"]:
            self.stdout.write(f"{indent}  task {task_run['task']!r}: {outcome(task_run)}")
            for action_run in task_run["action_runs"]:
                self.stdout.write(f"{indent}    {action_run['type']} action: {outcome(action_run)}")
        for child in report["child_events"]:
            self.write_report(child, indent + "  ")

    @staticmethod
    def read_data(raw: str | None) -> JSON:
        if raw is None:
            return None
        text = raw
        if raw.startswith("@"):
            try:
                with open(raw[1:], encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as exc:
                raise CommandError(f"--data: cannot read {raw[1:]}: {exc.strerror}") from None
        try:
            return parse_json(text.encode("utf-8"))
        except ParamsError as exc:
            raise CommandError(f"--data: {exc}") from None


def outcome(run: dict[str, Any]) -> str:
    """``status``, the error in brackets, and the number of attempts when there were several."""
    text = run["status"]
    if run["error"]:
        text += f" ({run['error']})"
    if len(run["attempts"]) > 1:
        text += f" after {len(run['attempts'])} attempts"
    return text
