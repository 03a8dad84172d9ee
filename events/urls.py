"""Ingress URLs: Mechanic webhooks and Shopify deliveries (spec/platform.md §0.1)."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("webhooks/<str:webhook_id>", views.mechanic_webhook, name="webhook"),
    path("webhooks/<str:webhook_id>/<str:client>", views.mechanic_webhook, name="webhook_client"),
    path("shopify/webhooks", views.shopify_webhooks, name="shopify_webhooks"),
    path("shopify/webhooks/", views.shopify_webhooks, name="shopify_webhooks_slash"),
]
