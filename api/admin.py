"""Admin for API tokens (spec/platform.md §8.1): create one (its value is shown once, in the message
after saving), see name, creator, creation, last use and status, revoke."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html

from api.models import ApiToken
from integrations.admin_scope import ShopScopedAdmin


class ApiTokenForm(ModelForm):
    """Shop and name; the shop's five-token limit is checked here, next to the form."""

    class Meta:
        model = ApiToken
        fields = ["shop", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        shop = cleaned.get("shop")
        if shop is not None and self.instance.pk is None:
            ApiToken.check_room(shop)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(ShopScopedAdmin):
    """API tokens of the shops the user may see."""

    form = ApiTokenForm
    list_display = ["name", "shop", "hint", "created_by", "created_at", "last_used_at", "status"]
    list_filter = ["shop"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["shop", "name"]
        return ["shop", "name", "hint", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return []
        return ["shop", "hint", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description="status")
    def status(self, token: ApiToken) -> str:
        return "active" if token.active else "revoked"

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        """A new token is issued (its value shown once, here); an existing one only renamed."""
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = ApiToken.issue(obj.shop, obj.name, created_by=request.user)
        obj.pk, obj.digest, obj.hint, obj.created_at = token.pk, token.digest, token.hint, token.created_at
        obj._state.adding = False
        messages.warning(
            request,
            format_html(
                "API token <strong>{}</strong>: <code>{}</code> — copy it now, it is not shown again.",
                token.name,
                raw,
            ),
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token.revoke()
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)
