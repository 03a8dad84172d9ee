"""Who sees which shop in the console (spec/platform.md §9.1).

Platform staff (superusers, or users with the ``integrations.view_all_shops`` permission) see every
shop. Everyone else sees only the shops they are members of (``ShopMember``): every list, change
page, foreign-key choice, action and admin view of a ``ShopScopedAdmin`` is limited to those shops,
and an object of another shop is a 404. Members may view, add, change and delete the objects of
their shops that the model admin allows at all; staff-only fields are the model admin's to hide.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from integrations.models import Shop, ShopMember

VIEW_ALL_SHOPS = "integrations.view_all_shops"


def sees_all_shops(user: Any) -> bool:
    """Whether ``user`` is platform staff: a superuser or holder of ``view_all_shops``."""
    return bool(user.is_active and (user.is_superuser or user.has_perm(VIEW_ALL_SHOPS)))


def member_shop_ids(user: Any) -> list[Any]:
    """The ids of the shops ``user`` is a member of, read once per user object (one request):
    every permission check, list, filter and choice of a page asks."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_hub_member_shop_ids", None)
    if cached is None:
        cached = list(ShopMember.objects.filter(user=user).values_list("shop_id", flat=True))
        user._hub_member_shop_ids = cached
    return cached


def is_merchant(user: Any) -> bool:
    """A signed-in user who is not platform staff and belongs to at least one shop."""
    return bool(
        user.is_authenticated and user.is_active and not sees_all_shops(user) and member_shop_ids(user)
    )


def visible_shops(request: HttpRequest) -> QuerySet[Shop]:
    """The shops the signed-in user may see."""
    if sees_all_shops(request.user):
        return Shop.objects.all()
    return Shop.objects.filter(pk__in=member_shop_ids(request.user))


class ShopListFilter(admin.RelatedFieldListFilter):
    """The "By shop" filter, offering only the shops the user may see."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(shop.pk, str(shop)) for shop in visible_shops(request)]


class ShopScopedAdmin(admin.ModelAdmin):
    """A model admin whose rows belong to a shop through ``shop_path`` (a lookup path to the
    ``Shop``; empty for the Shop model itself). See the module docstring."""

    shop_path = "shop"

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """``queryset`` limited to the shops the user may see."""
        if sees_all_shops(request.user):
            return queryset
        lookup = f"{self.shop_path}__in" if self.shop_path else "pk__in"
        return queryset.filter(**{lookup: member_shop_ids(request.user)})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.scope(request, super().get_queryset(request))

    def get_list_filter(self, request: HttpRequest) -> Any:
        """The list filters, the shop filter offering only the user's shops."""
        return [
            ("shop", ShopListFilter) if item == "shop" else item for item in super().get_list_filter(request)
        ]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """The object, or a 404 for one outside the user's shops (rather than a redirect)."""
        found = super().get_object(request, object_id, from_field)
        if found is None and not sees_all_shops(request.user):
            raise Http404("No such object in your shops.")
        return found

    def _member_may(self, request: HttpRequest, obj: Model | None) -> bool:
        if not is_merchant(request.user):
            return False
        return obj is None or self.scope(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or is_merchant(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) or self._member_may(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) or is_merchant(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) or self._member_may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) or self._member_may(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Foreign-key choices limited to the user's shops (the shop itself, or rows of them)."""
        if not sees_all_shops(request.user):
            related = db_field.remote_field.model
            shops = member_shop_ids(request.user)
            if related is Shop:
                kwargs["queryset"] = Shop.objects.filter(pk__in=shops)
            elif any(field.name == "shop" for field in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(shop__in=shops)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
