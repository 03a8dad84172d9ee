"""Google: accounts labelled with their email, scope ``drive.file`` only (spec/platform.md §6.1–§6.3)."""

from allauth.socialaccount.providers.base import ProviderAccount

from integrations.oauth.base import ShopConnectProvider, split_scopes
from integrations.oauth.google.views import GoogleOAuth2Adapter

DRIVE_FILE_SCOPE = "https://www.googleapis.com/auth/drive.file"


class GoogleAccount(ProviderAccount):
    """A connected Google account, shown as its email."""

    def to_str(self) -> str:
        return self.account.extra_data.get("email") or super().to_str()


class GoogleProvider(ShopConnectProvider):
    """``openid email`` to learn the label, ``drive.file`` for Drive, Sheets and Docs files Hub created."""

    id = "google"
    name = "Google"
    account_class = GoogleAccount
    oauth2_adapter_class = GoogleOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return ["openid", "email", DRIVE_FILE_SCOPE]

    def get_auth_params(self) -> dict:
        """Offline access with a consent prompt, so every connect returns a refresh token."""
        return {"access_type": "offline", "prompt": "consent", **super().get_auth_params()}

    def extract_uid(self, data: dict) -> str:
        return str(data["sub"])

    def extract_common_fields(self, data: dict) -> dict:
        return {"email": data.get("email")}

    def extract_email_addresses(self, data: dict) -> list:
        return []

    def connection_label(self, extra_data: dict) -> str:
        return str(extra_data["email"])

    def granted_scopes(self, extra_data: dict) -> list[str]:
        return split_scopes(extra_data.get("scope"))


provider_classes = [GoogleProvider]
