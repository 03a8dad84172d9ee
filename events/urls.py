"""Ingress URLs: Mechanic webhooks, Shopify deliveries, inbound email, partner events and Flow
(spec/platform.md §0.1)."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("webhooks/<str:webhook_id>", views.MechanicWebhookView.as_view(), name="webhook"),
    path(
        "webhooks/<str:webhook_id>/<str:client>", views.MechanicWebhookView.as_view(), name="webhook_client"
    ),
    path("shopify/webhooks", views.ShopifyWebhooksView.as_view(), name="shopify_webhooks"),
    path("shopify/webhooks/", views.ShopifyWebhooksView.as_view(), name="shopify_webhooks_slash"),
    path(
        "shopify/webhooks/custom/<str:webhook_id>",
        views.CustomShopifyWebhooksView.as_view(),
        name="custom_shopify_webhooks",
    ),
    path("shopify/flow/action", views.FlowActionView.as_view(), name="flow_action"),
    path("email/inbound", views.InboundEmailView.as_view(), name="inbound_email"),
    path("partners/<str:partner>/events", views.PartnerEventsView.as_view(), name="partner_events"),
]
