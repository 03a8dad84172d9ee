"""The Django-Q2 ORM broker, without the fixed pause between polls (spec/runtime.md §16).

Django-Q2's ORM broker sleeps ``poll`` (0.5 s) after every empty read, so a wake-up call that
arrives just after one waits up to half a second. This one reads again after 10 ms, doubling the
pause after each empty read up to ``poll``, and starts over at 10 ms as soon as a read finds work.
"""

from time import sleep

from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.conf import Conf
from django_q.models import OrmQ

FIRST_PAUSE_S = 0.01


class PromptORM(ORM):
    """``ORM`` with an adaptive pause between empty reads (10 ms doubling up to ``poll``)."""

    pause = FIRST_PAUSE_S

    def dequeue(self) -> list[tuple[int, str]] | None:
        """Up to ``bulk`` messages whose lock has lapsed, locked for this cluster; None when there
        were none (after the pause)."""
        waiting = self.get_connection().filter(key=self.list_key, lock__lt=timezone.now())[: Conf.BULK]
        taken = [(message.pk, message.payload) for message in waiting if self.lock(message)]
        if taken:
            self.pause = FIRST_PAUSE_S
            return taken
        sleep(self.pause)
        self.pause = min(self.pause * 2, Conf.POLL)
        return None

    def lock(self, message: OrmQ) -> bool:
        """Lock ``message`` for this cluster; False when another cluster was faster."""
        mine = self.get_connection().filter(id=message.id, lock=message.lock)
        return bool(mine.update(lock=self.timeout(message)))
