"""Admin for what a shop keeps beside its tasks: cache, globals, write-only secrets, email templates."""

import json

from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from integrations.admin_scope import ShopScopedAdmin
from tasks_app.models import CacheEndpoint, CacheEntry, EmailTemplate, Global, Secret
from tasks_app.models.globals import shops_secret_reference_counts


@admin.register(CacheEntry)
class CacheEntryAdmin(ShopScopedAdmin):
    """A shop's cache entries (spec/platform.md §4)."""

    list_display = ["key", "shop", "expires_at", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]


@admin.register(CacheEndpoint)
class CacheEndpointAdmin(ShopScopedAdmin):
    """A shop's cache endpoints: a key, and the public URL that reads it (spec/platform.md §4.6)."""

    list_display = ["key", "shop", "url", "created_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    fields = ["shop", "key", "url", "current_value", "created_at"]
    readonly_fields = ["url", "current_value", "created_at"]

    @admin.display(description="current value")
    def current_value(self, endpoint: CacheEndpoint) -> str:
        """What ``GET`` answers now (``null`` when the key holds no live value)."""
        if endpoint.pk is None or endpoint.shop_id is None:
            return "-"
        return json.dumps(endpoint.value(), ensure_ascii=False)


# --- globals and secrets (spec/platform.md §5) -------------------------------------


class GlobalForm(forms.ModelForm):
    """A global's value as text (stored as a JSON string) or as JSON (§5.2)."""

    kind = forms.ChoiceField(
        choices=[("text", "Text"), ("json", "JSON")], initial="text", widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Text is stored as a JSON string. JSON may be an object, array, number, boolean or null.",
    )

    class Meta:
        model = Global
        fields = ["shop", "key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            value = self.instance.value
            self.fields["kind"].initial = "text" if isinstance(value, str) else "json"
            self.fields["text"].initial = (
                value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
            )

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("text") or "").replace("\r\n", "\n")
        if cleaned.get("kind") == "json":
            try:
                self.instance.value = json.loads(text)
            except json.JSONDecodeError as exc:
                self.add_error("text", f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")
        else:
            self.instance.value = text
        return cleaned


@admin.register(Global)
class GlobalAdmin(ShopScopedAdmin):
    """A shop's globals (spec/platform.md §5.2), edited as text or JSON with ``GlobalForm``."""

    form = GlobalForm
    list_display = ["key", "shop", "value_preview", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["shop", "key", "kind", "text", "created_at", "updated_at"]

    @admin.display(description="value")
    def value_preview(self, entry: Global) -> str:
        text = json.dumps(entry.value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:79] + "…"


class SecretForm(forms.ModelForm):
    """Write-only value (§5.3): never rendered back; blank on change keeps the stored value."""

    value = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: the saved value is never shown again. Leave blank to keep the current value.",
    )

    class Meta:
        model = Secret
        fields = ["shop", "key"]

    def clean_value(self) -> str:
        value = self.cleaned_data.get("value") or ""
        if not value and not self.instance.pk:
            raise forms.ValidationError("Enter the secret's value.")
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("value"):
            self.instance.set_value(self.cleaned_data["value"])
        return super().save(commit)


@admin.register(Secret)
@method_decorator(sensitive_post_parameters("value"), name="changeform_view")
class SecretAdmin(ShopScopedAdmin):
    """Secrets show metadata only: no value column, search, export or display (§5.3)."""

    form = SecretForm
    list_display = ["key", "shop", "value_present", "reference_count", "created_at", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["key"]
    readonly_fields = ["reference_count", "created_at", "updated_at"]

    def get_fields(self, request, obj=None):
        return ["shop", "key", "value", *(self.readonly_fields if obj else [])]

    @admin.display(description="value present", boolean=True)
    def value_present(self, secret: Secret) -> bool:
        return secret.has_value

    def get_changelist_instance(self, request):
        """The list, with every listed secret's reference count computed in one query."""
        changelist = super().get_changelist_instance(request)
        keys_by_shop: dict = {}
        for secret in changelist.result_list:
            keys_by_shop.setdefault(secret.shop_id, []).append(secret.key)
        counts = shops_secret_reference_counts(keys_by_shop) if keys_by_shop else {}
        for secret in changelist.result_list:
            secret.listed_reference_count = counts[secret.shop_id][secret.key]
        return changelist

    @admin.display(description="tasks (approx.)")
    def reference_count(self, secret: Secret) -> int:
        listed = getattr(secret, "listed_reference_count", None)
        return listed if listed is not None else secret.reference_count()


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ShopScopedAdmin):
    """Settings → Email templates: named Liquid layouts per shop (spec/platform.md §3.5)."""

    list_display = ["name", "shop", "updated_at"]
    list_filter = ["shop"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["shop", "name", "body", "created_at", "updated_at"]
