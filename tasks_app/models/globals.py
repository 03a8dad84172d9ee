"""Shop globals and secrets (spec/platform.md §5).

Globals hold any JSON and are visible everywhere; secrets hold one string, encrypted at
rest, and are write-only: nothing here returns a raw value except ``Secret.reveal``, which
only the secret resolution in ``tasks_app.secrets`` calls.
"""

import re

from django.core.validators import RegexValidator
from django.db import models

from hub.fields import JSONField
from tasks_app import secrets as secret_store

KEY_MAX_LENGTH = 64
validate_key = RegexValidator(
    r"^[a-z][a-z0-9_]*\Z",
    "Keys are lower snake case: a lower-case letter, then lower-case letters, digits and underscores.",
)
TEXT_FIELDS = ("script", "subscriptions_template", "online_store_javascript", "order_status_javascript")


class Global(models.Model):
    """A shop-level JSON value, read in Liquid as ``globals.<key>`` (§5.2)."""

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="globals")
    key = models.CharField(max_length=KEY_MAX_LENGTH, validators=[validate_key])
    value = JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="unique_global_key")]

    def __str__(self) -> str:
        return self.key

    @classmethod
    def snapshot(cls, shop) -> dict:
        """Every global of ``shop`` as ``{key: value}``, ordered by key (the Liquid ``globals``)."""
        return dict(cls.objects.filter(shop=shop).order_by("key").values_list("key", "value"))


class Secret(models.Model):
    """A shop-level string, encrypted at rest and never displayed (§5.3).

    ``encrypted_value`` is a Fernet token made with the newest of ``HUB_SECRET_KEYS``
    (or an older one until ``manage.py rotate_secrets`` runs).
    """

    shop = models.ForeignKey("integrations.Shop", on_delete=models.CASCADE, related_name="secrets")
    key = models.CharField(max_length=KEY_MAX_LENGTH, validators=[validate_key])
    encrypted_value = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="unique_secret_key")]

    def __str__(self) -> str:
        return self.key

    def __repr__(self) -> str:
        return f"<Secret {self.key}>"

    @property
    def has_value(self) -> bool:
        """Whether a value is stored (the "value present" column)."""
        return bool(self.encrypted_value)

    def set_value(self, raw: str) -> None:
        """Encrypt ``raw`` with the newest key into ``encrypted_value`` (not saved)."""
        self.encrypted_value = secret_store.encrypt(raw)

    def reveal(self) -> str:
        """The raw value. Raises ``tasks_app.secrets.SecretDecryptionError`` when no configured
        key decrypts it. Only secret resolution (``tasks_app.secrets``) calls this."""
        return secret_store.decrypt(self.encrypted_value, self.key)

    @classmethod
    def keys_for(cls, shop) -> list[str]:
        """The secret keys of ``shop``, ordered."""
        return list(cls.objects.filter(shop=shop).order_by("key").values_list("key", flat=True))

    def reference_count(self) -> int:
        """Approximate number of the shop's tasks using this secret (§5.4 decision): tasks whose
        texts mention ``secrets.<key>`` or whose ``secret`` options select it."""
        return secret_reference_counts(self.shop_id, [self.key])[self.key]


def secret_reference_counts(shop, keys: list[str]) -> dict[str, int]:
    """``{key: number of tasks of shop referencing it}`` for every key in ``keys`` (§5.4).

    A task counts once per key when any of its texts contains ``secrets.<key>`` (not followed
    by another key character) or a stored ``secret`` option value equals the key.
    """
    shop_id = getattr(shop, "pk", shop)
    return shops_secret_reference_counts({shop_id: keys})[shop_id]


def shops_secret_reference_counts(keys_by_shop: dict) -> dict:
    """``{shop id: {key: count}}`` as ``secret_reference_counts`` says, for several shops in one
    query (a list of secrets of many shops)."""
    from tasks_app.models.task import Task

    counts = {shop_id: dict.fromkeys(keys, 0) for shop_id, keys in keys_by_shop.items()}
    rows = Task.objects.filter(shop_id__in=list(keys_by_shop)).values_list("shop_id", "options", *TEXT_FIELDS)
    for shop_id, options, *texts in rows:
        _count_references(counts[shop_id], options, texts)
    return counts


def _count_references(counts: dict[str, int], options: object, texts: list) -> None:
    """Add one to ``counts[key]`` for each key this task (its options and texts) references."""
    from tasks_app.options import OptionKeyError, parse_option_key

    patterns = {key: re.compile(rf"\bsecrets\.{re.escape(key)}(?![a-z0-9_])") for key in counts}
    selected = set()
    for option_key, value in (options or {}).items() if isinstance(options, dict) else ():
        try:
            if parse_option_key(option_key).type == "secret" and isinstance(value, str):
                selected.add(value)
        except OptionKeyError:
            continue
    text = "\n".join(t for t in texts if t)
    for key, pattern in patterns.items():
        if key in selected or pattern.search(text):
            counts[key] += 1
