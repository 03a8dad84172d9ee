"""``/api/v1`` (spec/platform.md §8.2), its OpenAPI 3 schema and the schema's browsable page (assets
served by Hub from drf-spectacular-sidecar)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views

app_name = "api"

urlpatterns = [
    path("auth/verify", views.AuthVerifyView.as_view(), name="auth_verify"),
    path("shop/status", views.ShopStatusView.as_view(), name="shop_status"),
    path("shop/deprecations", views.DeprecationsView.as_view(), name="shop_deprecations"),
    path("tasks", views.TasksView.as_view(), name="tasks"),
    path("tasks/preview", views.PreviewView.as_view(), name="preview"),
    path("tasks/<str:task_id>", views.TaskView.as_view(), name="task"),
    path("tasks/<str:task_id>/preview", views.TaskPreviewView.as_view(), name="task_preview"),
    path("globals", views.GlobalsView.as_view(), name="globals"),
    path("globals/<str:key>", views.GlobalView.as_view(), name="global"),
    path("secrets", views.SecretsView.as_view(), name="secrets"),
    path("secrets/<str:key>", views.SecretView.as_view(), name="secret"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
