"""Slack: one install of Hub's Slack app per workspace, labelled with its name (spec/platform.md §6.1)."""

from allauth.socialaccount.providers.base import ProviderAccount

from integrations.oauth.base import ShopConnectProvider, split_scopes
from integrations.oauth.slack.views import SlackOAuth2Adapter


class SlackAccount(ProviderAccount):
    """A connected Slack workspace, shown as its name."""

    def to_str(self) -> str:
        return (self.account.extra_data.get("team") or {}).get("name") or super().to_str()


class SlackProvider(ShopConnectProvider):
    """Bot-token install: ``chat:write``, plus ``chat:write.customize`` for custom username and icon."""

    id = "slack"
    name = "Slack"
    account_class = SlackAccount
    oauth2_adapter_class = SlackOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return ["chat:write", "chat:write.customize"]

    def extract_uid(self, data: dict) -> str:
        """The workspace (team) id: one account per workspace."""
        return str(data["team"]["id"])

    def extract_common_fields(self, data: dict) -> dict:
        return {}

    def extract_email_addresses(self, data: dict) -> list:
        return []

    def connection_label(self, extra_data: dict) -> str:
        return str((extra_data.get("team") or {}).get("name") or extra_data["team"]["id"])

    def granted_scopes(self, extra_data: dict) -> list[str]:
        return split_scopes(extra_data.get("scope"), ",")


provider_classes = [SlackProvider]
