"""``manage.py standin_install --hub URL --standin URL --shop DOMAIN --username NAME --password-file FILE``.

Installs Hub's app on the stand-in's shop through Hub's real OAuth flow (``standin.install``),
waits until Hub has registered the shop's webhook subscriptions with the stand-in, and prints how
to create an order there that the stand-in delivers to Hub (``bin/run-hub`` runs it for the demo).
"""

import json
import shlex
import time
from pathlib import Path

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from standin.install import InstallError, StaffLogin, install

ORDER = {
    "order": {
        "email": "buyer@example.com",
        "line_items": [{"title": "Demo hat", "quantity": 1}],
        "shipping_address": {"first_name": "Ada", "city": "Toronto", "country_code": "CA"},
    }
}
SUBSCRIPTIONS = "{ webhookSubscriptions(first: 100) { nodes { topic } } }"
NEWEST_ORDER = "{ orders(first: 1, reverse: true) { nodes { name tags } } }"
# The subscription list counts as complete once it has not changed for this long (seconds).
SETTLED_S = 2.0


class Command(BaseCommand):
    """``standin_install``: install Hub's app on the stand-in's shop, as a merchant would."""

    help = (
        "Install Hub's Shopify app on the stand-in's shop through Hub's OAuth flow (the stand-in approves "
        "at once), wait for Hub to register the shop's webhooks there, and print a curl that creates an "
        "order in the stand-in, which it delivers to Hub."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hub", required=True, help="Hub's URL, e.g. http://127.0.0.1:8000")
        parser.add_argument("--standin", required=True, help="The stand-in's URL, e.g. http://127.0.0.1:8001")
        parser.add_argument("--shop", required=True, metavar="DOMAIN", help="The shop's myshopify domain")
        parser.add_argument("--username", default="admin", help="A staff user of Hub's admin")
        parser.add_argument("--password-file", type=Path, required=True, help="A file holding its password")
        parser.add_argument("--wait-s", type=float, default=60.0, help="How long to wait for the webhooks")

    def handle(self, *args, **opts):
        try:
            password = opts["password_file"].read_text().strip()
        except OSError as exc:
            raise CommandError(f"cannot read --password-file: {exc}") from None
        try:
            install(opts["hub"], opts["shop"], StaffLogin(opts["username"], password))
        except (InstallError, requests.RequestException) as exc:
            raise CommandError(f"the install of {opts['shop']} did not go through: {exc}") from None
        topics = self.wait_for_webhooks(opts["standin"], opts["wait_s"])
        self.stdout.write(self.instructions(opts["shop"], opts["standin"], topics))

    def graphql(self, standin: str, query: str) -> dict:
        url = f"{standin.rstrip('/')}/admin/api/{settings.HUB_SHOPIFY_API_VERSION}/graphql.json"
        return requests.post(url, json={"query": query}, timeout=10).json()

    def wait_for_webhooks(self, standin: str, wait_s: float) -> list[str]:
        """The stand-in's subscription topics once ``ORDERS_CREATE`` is among them and the list
        has stayed the same for ``SETTLED_S`` (Hub's queue syncs them after the install), or what
        there is after ``wait_s`` seconds."""
        deadline = time.monotonic() + wait_s
        last: list[str] = []
        steady_since = time.monotonic()
        while True:
            nodes = self.graphql(standin, SUBSCRIPTIONS)["data"]["webhookSubscriptions"]["nodes"]
            topics = sorted(node["topic"] for node in nodes)
            if topics != last:
                last, steady_since = topics, time.monotonic()
            settled = time.monotonic() - steady_since >= SETTLED_S
            if ("ORDERS_CREATE" in topics and settled) or time.monotonic() > deadline:
                return topics
            time.sleep(0.25)

    def instructions(self, shop: str, standin: str, topics: list[str]) -> str:
        api = f"{standin.rstrip('/')}/admin/api/{settings.HUB_SHOPIFY_API_VERSION}"
        create = (
            f"curl -s -X POST {api}/orders.json -H 'Content-Type: application/json' "
            f"-d {shlex.quote(json.dumps(ORDER))}"
        )
        look = (
            f"curl -s {api}/graphql.json -H 'Content-Type: application/json' "
            f"-d {shlex.quote(json.dumps({'query': NEWEST_ORDER}))}"
        )
        registered = ", ".join(topics) or "none yet (run: python manage.py sync_webhooks)"
        return (
            f"\nInstalled Hub's app on {shop} through the stand-in's OAuth (approved at once); "
            f"Hub registered its webhooks there: {registered}.\n\n"
            "Create an order in the stand-in; it delivers orders/create to Hub, whose task tags the order "
            "by its shipping country:\n\n"
            f"  {create}\n\n"
            'A moment later, the newest order\'s tags ("international" for Canada):\n\n'
            f"  {look}\n"
        )
