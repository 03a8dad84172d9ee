"""URLs of the run engine's staff endpoints."""

from django.urls import path

from runs import views

urlpatterns = [
    path("runs/<uuid:run_id>/retry", views.RetryRunView.as_view(), name="run-retry"),
    path("events/<uuid:event_id>/cancel", views.CancelEventView.as_view(), name="event-cancel"),
]
