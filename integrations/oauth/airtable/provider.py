"""Airtable: accounts labelled with the authorizing user's email (spec/platform.md §6.1)."""

from allauth.socialaccount.providers.base import ProviderAccount

from integrations.oauth.airtable.views import AirtableOAuth2Adapter
from integrations.oauth.base import ShopConnectProvider, split_scopes


class AirtableAccount(ProviderAccount):
    """A connected Airtable account, shown as its email."""

    def to_str(self) -> str:
        return self.account.extra_data.get("email") or super().to_str()


class AirtableProvider(ShopConnectProvider):
    """Records, record comments and base schema, read and write; ``user.email:read`` for the label."""

    id = "airtable"
    name = "Airtable"
    account_class = AirtableAccount
    oauth2_adapter_class = AirtableOAuth2Adapter
    pkce_enabled_default = True  # Airtable requires PKCE

    def get_default_scope(self) -> list[str]:
        return [
            "data.records:read",
            "data.records:write",
            "data.recordComments:read",
            "data.recordComments:write",
            "schema.bases:read",
            "schema.bases:write",
            "user.email:read",
        ]

    def extract_uid(self, data: dict) -> str:
        return str(data["id"])

    def extract_common_fields(self, data: dict) -> dict:
        return {"email": data.get("email")}

    def extract_email_addresses(self, data: dict) -> list:
        return []

    def connection_label(self, extra_data: dict) -> str:
        return str(extra_data.get("email") or extra_data["id"])

    def granted_scopes(self, extra_data: dict) -> list[str]:
        return split_scopes(extra_data.get("scope")) or split_scopes(extra_data.get("scopes"))


provider_classes = [AirtableProvider]
