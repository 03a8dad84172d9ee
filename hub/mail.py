"""Email backends of our own."""

import sys
from typing import Any

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


class StderrConsoleBackend(ConsoleEmailBackend):
    """Console email backend that writes to stderr.

    Hub's default when no SMTP host is configured: messages show in the
    worker's console, and CLI commands keep stdout for their own output
    (``emit_event --json`` prints only its JSON object there).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
