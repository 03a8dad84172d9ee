"""``manage.py smtpd [--host H] [--port P]``: receive shops' email over SMTP (spec/platform.md §3)."""

import logging
import signal
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from events.smtp_listener import controller


class Command(BaseCommand):
    help = (
        "Receive email over SMTP for <shop handle>@HUB_MAIL_DOMAIN and turn each message into a "
        "mechanic/emails/received event. Runs until stopped (Ctrl-C or SIGTERM)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=2525, help="port to listen on (default 2525)")

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        listener_log = logging.getLogger("events.smtp_listener")  # one line per message, on stdout
        if not listener_log.handlers:
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            listener_log.addHandler(handler)
            listener_log.setLevel(logging.INFO)
        server = controller(host, port)
        server.start()
        self.stdout.write(
            f"Receiving email for <shop>@{settings.HUB_MAIL_DOMAIN} on {host}:{port}", ending="\n"
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()
        self.stdout.write("Stopped.")
