"""``manage.py setup_demo``: the demo ``make run`` starts with.

Creates (or reuses) a demo shop, an admin login, a Mechanic webhook for
``user/webhook/form`` and two library tasks, then prints the admin URL and two
ready-to-paste ``curl`` commands. Running it again reuses everything.
"""

import base64
import hashlib
import hmac
import json
import secrets
import shlex
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from events.models import Webhook
from integrations.models import Shop
from tasks_app.importer import import_tasks
from tasks_app.models import Task
from tasks_app.options import missing_required

DEMO_DOMAIN = "demo-hub.myshopify.com"
LIBRARY = settings.BASE_DIR.parent / "shared" / "reference" / "mechanic-tasks" / "tasks"
WEBHOOK_EXAMPLES = settings.BASE_DIR.parent / "shared" / "reference" / "shopify-webhooks"
DEMO_DIR = settings.BASE_DIR / "tasks_app" / "demo"
VAR = settings.BASE_DIR / "var"

ORDER_PAID_TASK = "email-customer-when-order-paid.json"
CONTACT_FORM_TASK = "tutorial-trigger-a-task-from-a-contact-form-using-webhooks.json"
AUTO_TAG_TASK = "auto-tag-orders-by-shipping-address-country.json"
AUTO_TAG_OPTIONS = {
    "tags_to_apply_and_country_codes__keyval_required": {"domestic": "US", "international": "CA,GB,DE,FR"}
}
ORDER_PAID_BODY = (
    "Hi {{ order.customer.first_name | default: 'there' }},\n\n"
    "We have received the payment for order {{ order.name }} "
    "({{ order.total_price }} {{ order.currency }}). Thank you!\n\n"
    "{{ shop.name }}"
)


class Command(BaseCommand):
    """``setup_demo``: create or reuse the demo shop, admin login, webhook and tasks."""

    help = "Create or reuse the demo shop, admin login, webhook and tasks, and print how to try them."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port the web server listens on")

    def handle(self, *args, **opts):
        base = f"http://127.0.0.1:{opts['port']}"
        shop = self.demo_shop()
        password = self.admin_login()
        webhook, _ = Webhook.objects.get_or_create(
            shop=shop, topic="user/webhook/form", defaults={"name": "Demo contact form"}
        )
        webhook_url = f"{base}/webhooks/{webhook.id}"
        self.import_demo_task(shop, ORDER_PAID_TASK, {"email_body__multiline_required": ORDER_PAID_BODY})
        self.import_demo_task(shop, CONTACT_FORM_TASK, {"mechanic_webhook_url__required": webhook_url})
        self.import_demo_task(shop, AUTO_TAG_TASK, AUTO_TAG_OPTIONS)
        paid_file = self.example_body("orders-paid.json", "shopify__orders__paid.json")
        created_file = self.example_body("orders-create.json", "shopify__orders__create.json")
        self.stdout.write(self.instructions(base, shop, password, webhook_url))
        self.stdout.write(self.shopify_section(base, shop, paid_file, created_file))

    def demo_shop(self) -> Shop:
        shop, _ = Shop.objects.get_or_create(myshopify_domain=DEMO_DOMAIN)
        shop.data = {
            "name": "Hub Demo Shop",
            "email": "owner@demo-hub.example",
            "customer_email": "support@demo-hub.example",
            "domain": DEMO_DOMAIN,
            "iana_timezone": "UTC",
            "currency": "USD",
            **{k: v for k, v in (shop.data or {}).items() if k not in ("name",)},
        }
        shop.email_sending_approved = True
        shop.save()
        return shop

    def admin_login(self) -> str:
        """Create the ``admin`` superuser once; its password is kept in var/ so reruns reuse it."""
        VAR.mkdir(exist_ok=True)
        secret_file = VAR / "demo-admin-password"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(12))
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip()
        user, _ = get_user_model().objects.get_or_create(username="admin")
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        return password

    def import_demo_task(self, shop: Shop, filename: str, options: dict) -> Task:
        path = LIBRARY / filename
        if not path.exists():
            path = DEMO_DIR / filename
        payload = json.loads(path.read_text())
        imported = import_tasks(
            shop, payload, options_override=options, enable=True, replace=True, source_name=path.name
        )
        task = Task.objects.get(pk=imported[0].task.pk)
        missing = missing_required(task.options)
        if missing:
            self.stderr.write(f"{task.name}: required options not filled: {', '.join(missing)}")
        self.stdout.write(f"Task {task.name!r} ({task.id}) enabled={task.enabled} options:")
        for key, value in task.options.items():
            self.stdout.write(f"    {key} = {json.dumps(value)}")
        return task

    def example_body(self, example: str, sample: str) -> Path:
        """Shopify's published example body (or Hub's own sample) written under var/."""
        source = WEBHOOK_EXAMPLES / example
        if not source.exists():
            source = settings.BASE_DIR / "tasks_app" / "samples" / sample
        target = VAR / f"demo-{example}"
        target.write_bytes(source.read_bytes())
        return target

    @staticmethod
    def signed_curl(base: str, shop: Shop, topic: str, body_file: Path) -> str:
        """A ready-to-paste curl for a Shopify delivery signed with the app secret."""
        digest = hmac.new(settings.HUB_SHOPIFY_API_SECRET.encode(), body_file.read_bytes(), hashlib.sha256)
        signature = base64.b64encode(digest.digest()).decode()
        return " \\\n    ".join(
            [
                f"curl -i -X POST {base}/shopify/webhooks",
                "-H 'Content-Type: application/json'",
                f"-H 'X-Shopify-Topic: {topic}'",
                f"-H 'X-Shopify-Shop-Domain: {shop.myshopify_domain}'",
                f"-H 'X-Shopify-Hmac-Sha256: {signature}'",
                f"--data-binary @{shlex.quote(str(body_file))}",
            ]
        )

    def instructions(self, base: str, shop: Shop, password: str, webhook_url: str) -> str:
        form_curl = " \\\n    ".join(
            [
                f"curl -i -X POST {webhook_url}",
                "--data-urlencode 'contact[Name]=Ada Lovelace'",
                "--data-urlencode 'contact[Email]=ada@example.com'",
                "--data-urlencode 'contact[Phone Number]=+1 312 555 0100'",
                "--data-urlencode 'contact[Message]=Please call me back about my order.'",
            ]
        )
        return (
            "\n"
            "Hub is starting.\n"
            f"  Admin:   {base}/admin/   (user: admin, password: {password})\n"
            f"  Shop:    {shop.myshopify_domain}\n"
            "\n"
            "A contact form POST to the Mechanic webhook (the task emails a CSV):\n\n"
            f"  {form_curl}\n\n"
        )

    def shopify_section(self, base: str, shop: Shop, paid_file: Path, created_file: Path) -> str:
        admin_url = settings.HUB_SHOPIFY_ADMIN_URL
        text = (
            "A signed Shopify orders/paid delivery (the task emails the customer):\n\n"
            f"  {self.signed_curl(base, shop, 'orders/paid', paid_file)}\n\n"
            "A signed Shopify orders/create delivery (the task tags the order by its shipping country):\n\n"
            f"  {self.signed_curl(base, shop, 'orders/create', created_file)}\n\n"
        )
        if admin_url:
            query = json.dumps(
                {"query": '{ order(id: "gid://shopify/Order/820982911946154508") { name tags } }'}
            )
            text += (
                f"Shopify Admin API calls go to {admin_url}. See the order's tags there:\n\n"
                f"  curl -s {admin_url}/admin/api/{settings.HUB_SHOPIFY_API_VERSION}/graphql.json "
                f"-H 'Content-Type: application/json' -d {shlex.quote(query)}\n\n"
            )
        return text + (
            "Email goes to this console (set HUB_EMAIL_HOST for SMTP). Runs show under Events in the admin.\n"
        )
