"""A shop's offline access token is encrypted at rest (integrations/sealed.py)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from integrations.models import Shop
from integrations.shopify.client import ShopifyClient, ShopifyPermanentError

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
TOKEN = "shpat_0123456789abcdef0123456789abcdef"


def stored(shop: Shop) -> str:
    """The column exactly as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT access_token FROM {Shop._meta.db_table} WHERE myshopify_domain = %s",  # noqa: S608
            [shop.myshopify_domain],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def keyed(settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]


def test_the_database_holds_ciphertext_and_code_reads_the_token(db, keyed):
    shop = Shop.objects.create(myshopify_domain="sealed.myshopify.com", access_token=TOKEN)

    raw = stored(shop)
    assert raw.startswith("fernet:") and TOKEN not in raw
    assert Fernet(OLD_KEY).decrypt(raw.removeprefix("fernet:").encode()).decode() == TOKEN
    assert Shop.objects.get(pk=shop.pk).access_token == TOKEN
    assert ShopifyClient(Shop.objects.get(pk=shop.pk)).headers()["X-Shopify-Access-Token"] == TOKEN


def test_an_empty_token_stays_empty(db, keyed):
    shop = Shop.objects.create(myshopify_domain="empty.myshopify.com")

    assert stored(shop) == ""
    assert "X-Shopify-Access-Token" not in ShopifyClient(Shop.objects.get(pk=shop.pk)).headers()


def test_a_plaintext_token_stored_before_encryption_is_read_and_sealed_by_rotate_secrets(db, keyed):
    shop = Shop.objects.create(myshopify_domain="legacy.myshopify.com")
    Shop.objects.filter(pk=shop.pk).update(access_token="")
    with connection.cursor() as cursor:  # as the column held it before this field existed
        cursor.execute(f"UPDATE {Shop._meta.db_table} SET access_token = %s", [TOKEN])  # noqa: S608
    assert Shop.objects.get(pk=shop.pk).access_token == TOKEN
    out = StringIO()

    call_command("rotate_secrets", stdout=out)

    assert out.getvalue() == (
        "Re-encrypted 0 secret(s), 0 OAuth token row(s), 1 shop access token(s) and 0 webhook signing "
        "secret set(s) with the newest key.\n"
    )
    assert stored(shop).startswith("fernet:")
    assert Shop.objects.get(pk=shop.pk).access_token == TOKEN


def test_rotate_secrets_reencrypts_with_the_newest_key(db, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    shop = Shop.objects.create(myshopify_domain="rotate.myshopify.com", access_token=TOKEN)
    settings.HUB_SECRET_KEYS = [NEW_KEY, OLD_KEY]

    call_command("rotate_secrets", stdout=StringIO())

    assert Fernet(NEW_KEY).decrypt(stored(shop).removeprefix("fernet:").encode()).decode() == TOKEN
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    assert Shop.objects.get(pk=shop.pk).access_token == TOKEN


def test_a_token_no_key_opens_fails_shopify_calls_and_rotation_naming_the_shop(db, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    shop = Shop.objects.create(myshopify_domain="lost.myshopify.com", access_token=TOKEN)
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    loaded = Shop.objects.get(pk=shop.pk)

    with pytest.raises(ShopifyPermanentError) as raised:
        ShopifyClient(loaded).headers()
    assert str(raised.value) == (
        "the stored access token of shop lost.myshopify.com cannot be decrypted: it was encrypted with a "
        "key that is no longer in HUB_SECRET_KEYS; restore the key or reinstall the app"
    )
    assert raised.value.permanent is True
    with pytest.raises(CommandError, match="shop lost.myshopify.com") as failed:
        call_command("rotate_secrets", stdout=StringIO())
    assert "nothing was re-encrypted" in str(failed.value)
    assert TOKEN not in str(failed.value)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_stored_tokens_and_its_reverse_opens_them(settings):
    from django.db.migrations.executor import MigrationExecutor

    settings.HUB_SECRET_KEYS = [OLD_KEY]
    before, after = (
        ("integrations", "0002_rate_limits_connections"),
        ("integrations", "0003_shop_access_token_sealed"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    executor.loader.build_graph()
    old_shop = executor.loader.project_state([before]).apps.get_model("integrations", "Shop")
    shop = old_shop.objects.create(myshopify_domain="migrated.myshopify.com", access_token=TOKEN)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        executor.loader.build_graph()
        sealed_shop = executor.loader.project_state([after]).apps.get_model("integrations", "Shop")
        assert stored(shop).startswith("fernet:")
        assert sealed_shop.objects.get(pk=shop.pk).access_token == TOKEN

        executor = MigrationExecutor(connection)
        executor.migrate([before])
        assert stored(shop) == TOKEN
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
