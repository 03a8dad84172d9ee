"""``manage.py rotate_secrets``: re-encrypt every shop secret, stored OAuth token and shop access
token, and webhook signing secrets with the newest key of ``HUB_SECRET_KEYS`` (spec/platform.md §5.3,
§6.1), so older keys can then be removed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events.models import Webhook
from integrations.oauth.tokens import TokenDecryptionError, rotate_shop_tokens, rotate_tokens
from tasks_app.secrets import SecretDecryptionError, rotate_all


class Command(BaseCommand):
    """``rotate_secrets``: re-encrypt secrets and OAuth tokens with the newest key of ``HUB_SECRET_KEYS``."""

    help = (
        "Re-encrypt every secret, every stored OAuth token of a connected account, every shop's "
        "access token and every webhook's signing secrets with the first "
        "(newest) key of HUB_SECRET_KEYS and print how many were re-encrypted. Run it after adding a "
        "key in front; then the older keys can be removed. All or nothing."
    )

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                secrets = rotate_all()
                tokens = rotate_tokens()
                shops = rotate_shop_tokens()
                webhooks = Webhook.rotate_signing_secrets()
        except (SecretDecryptionError, TokenDecryptionError) as exc:
            raise CommandError(f"{exc}; nothing was re-encrypted") from None
        self.stdout.write(
            f"Re-encrypted {secrets} secret(s), {tokens} OAuth token row(s), {shops} shop access "
            f"token(s) and {webhooks} webhook signing secret set(s) with the newest key."
        )
