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
ORDER_PAID_BODY = (
    "Hi {{ order.customer.first_name | default: 'there' }},\n\n"
    "We have received the payment for order {{ order.name }} "
    "({{ order.total_price }} {{ order.currency }}). Thank you!\n\n"
    "{{ shop.name }}"
)


class Command(BaseCommand):
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
        order_file = self.order_paid_body()
        self.stdout.write(self.instructions(base, shop, password, webhook_url, order_file))

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

    def order_paid_body(self) -> Path:
        """Shopify's published orders/paid example (or Hub's own sample) written under var/."""
        source = WEBHOOK_EXAMPLES / "orders-paid.json"
        if not source.exists():
            source = settings.BASE_DIR / "tasks_app" / "samples" / "shopify__orders__paid.json"
        target = VAR / "demo-orders-paid.json"
        target.write_bytes(source.read_bytes())
        return target

    def instructions(self, base: str, shop: Shop, password: str, webhook_url: str, order_file: Path) -> str:
        body = order_file.read_bytes()
        digest = hmac.new(settings.HUB_SHOPIFY_API_SECRET.encode(), body, hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
        shopify_curl = " \\\n    ".join(
            [
                f"curl -i -X POST {base}/shopify/webhooks",
                "-H 'Content-Type: application/json'",
                "-H 'X-Shopify-Topic: orders/paid'",
                f"-H 'X-Shopify-Shop-Domain: {shop.myshopify_domain}'",
                f"-H 'X-Shopify-Hmac-Sha256: {signature}'",
                f"--data-binary @{shlex.quote(str(order_file))}",
            ]
        )
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
            "1) A signed Shopify orders/paid delivery (the task emails the customer):\n\n"
            f"  {shopify_curl}\n\n"
            "2) A contact form POST to the Mechanic webhook (the task emails a CSV):\n\n"
            f"  {form_curl}\n\n"
            "Email goes to this console (set HUB_EMAIL_HOST for SMTP). Runs show under Events in the admin.\n"
        )
