"""Per-shop run slots: at most ``Shop.run_concurrency`` runs of a shop ``started`` at once
(spec/runtime.md §6), across every worker and both brokers.

``in_flight`` counts the shop's started runs. A claim takes a slot with one conditional update
(``... SET in_flight = in_flight + 1 WHERE in_flight < limit``) in the same transaction that
moves the run to ``started``; every way out of ``started`` (an attempt concluded, a lost run taken
back) gives it back in the same transaction as the run's own update. So the count stays exact
through crashes: a transaction that dies takes both changes with it.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone

from runs import sql


class ShopSlots(models.Model):
    """The run slots of one shop: how many are in use, and when one was last taken (for fairness)."""

    shop = models.OneToOneField(
        "integrations.Shop", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    in_flight = models.PositiveIntegerField(default=0)
    last_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "shop run slots"
        verbose_name_plural = "shop run slots"

    def __str__(self) -> str:
        return f"{self.in_flight} runs started"

    @classmethod
    def take(cls, shop_id: object, limit: int, *, now: datetime | None = None) -> bool:
        """Take one of ``shop_id``'s ``limit`` slots; False when all are in use."""
        now = now or timezone.now()
        free = cls.objects.filter(shop_id=shop_id, in_flight__lt=limit)
        if free.update(in_flight=F("in_flight") + 1, last_claimed_at=now):
            return True
        if limit < 1:
            return False
        in_use = cls.objects.filter(shop_id=shop_id).values_list("in_flight", flat=True).first()
        if in_use is not None:
            # Full, unless another worker made the row (or freed a slot) since the update above.
            return in_use < limit and bool(free.update(in_flight=F("in_flight") + 1, last_claimed_at=now))
        try:
            with transaction.atomic():
                cls.objects.create(shop_id=shop_id, in_flight=1, last_claimed_at=now)
            return True
        except IntegrityError:  # the row exists (perhaps made meanwhile): take a slot the usual way
            return bool(free.update(in_flight=F("in_flight") + 1, last_claimed_at=now))

    @classmethod
    def release(cls, shop_id: object, count: int = 1) -> None:
        """Give back ``count`` slots of ``shop_id`` (one statement per concluded run: plain SQL)."""
        table = connection.ops.quote_name(cls._meta.db_table)
        shop = sql.db_value(cls, "shop", shop_id)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET in_flight = in_flight - %s WHERE shop_id = %s AND in_flight >= %s",  # noqa: S608
                [count, shop, count],
            )


class EngineLock(models.Model):
    """A named lease one process holds at a time (the sweeper's, so clusters take turns)."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=128, blank=True, default="")
    until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"

    @classmethod
    def acquire(cls, name: str, holder: str, seconds: float) -> bool:
        """Hold ``name`` for ``seconds`` when it is free, lapsed or already ``holder``'s."""
        now = timezone.now()
        until = now + timedelta(seconds=seconds)
        cls.objects.get_or_create(name=name)
        free = cls.objects.filter(name=name).filter(
            models.Q(until__isnull=True) | models.Q(until__lt=now) | models.Q(holder=holder)
        )
        return bool(free.update(holder=holder, until=until))
