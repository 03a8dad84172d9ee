"""Shop access tokens encrypted at rest: the column widens for ciphertext and every stored token is
sealed (and opened again if the migration is reversed)."""

from django.db import migrations

import integrations.sealed


def seal_tokens(apps, schema_editor):
    Shop = apps.get_model("integrations", "Shop")
    for pk, token in Shop.objects.exclude(access_token="").values_list("pk", "access_token"):
        # The historical field is the sealed one: loading opens any ciphertext, saving seals.
        Shop.objects.filter(pk=pk).update(access_token=token)


def open_tokens(apps, schema_editor):
    Shop = apps.get_model("integrations", "Shop")
    table = schema_editor.quote_name(Shop._meta.db_table)
    for pk, token in Shop.objects.exclude(access_token="").values_list("pk", "access_token"):
        if integrations.sealed.is_sealed(token):
            raise RuntimeError("a shop's access token cannot be decrypted with HUB_SECRET_KEYS")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET access_token = %s WHERE id = %s", [token, pk.hex])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_rate_limits_connections")]

    operations = [
        migrations.AlterField(
            model_name="shop",
            name="access_token",
            field=integrations.sealed.SealedCharField(blank=True, default="", max_length=1024),
        ),
        migrations.RunPython(seal_tokens, open_tokens),
    ]
