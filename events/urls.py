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
    path(
        "shopify/webhooks",
        views.PostOnlyView.as_view(handler=views.shopify_webhooks),
        name="shopify_webhooks",
    ),
    path(
        "shopify/webhooks/",
        views.PostOnlyView.as_view(handler=views.shopify_webhooks),
        name="shopify_webhooks_slash",
    ),
    path(
        "shopify/webhooks/custom/<str:webhook_id>",
        views.PostOnlyView.as_view(handler=views.custom_shopify_webhooks),
        name="custom_shopify_webhooks",
    ),
    path("shopify/flow/action", views.PostOnlyView.as_view(handler=views.flow_action), name="flow_action"),
    path("email/inbound", views.PostOnlyView.as_view(handler=views.inbound_email), name="inbound_email"),
    path(
        "partners/<str:partner>/events",
        views.PostOnlyView.as_view(handler=views.partner_events),
        name="partner_events",
    ),
]
