"""``manage.py rotate_secrets``: re-encrypt every shop secret with the newest key of
``HUB_SECRET_KEYS`` (spec/platform.md §5.3), so older keys can then be removed."""

from django.core.management.base import BaseCommand, CommandError

from tasks_app.secrets import SecretDecryptionError, rotate_all


class Command(BaseCommand):
    """``rotate_secrets``: re-encrypt every secret with the newest key of ``HUB_SECRET_KEYS``."""

    help = (
        "Re-encrypt every secret with the first (newest) key of HUB_SECRET_KEYS and print how many "
        "were re-encrypted. Run it after adding a key in front; then the older keys can be removed."
    )

    def handle(self, *args, **opts):
        try:
            count = rotate_all()
        except SecretDecryptionError as exc:
            raise CommandError(f"{exc}; nothing was re-encrypted") from None
        self.stdout.write(f"Re-encrypted {count} secret(s) with the newest key.")
