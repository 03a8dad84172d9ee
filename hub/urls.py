"""Hub's URLs: ingress endpoints, the admin console, merchant sign-in."""

from django.contrib import admin
from django.urls import include, path

from hub import views

urlpatterns = [
    path("", include("events.urls")),
    path("", include("tasks_app.urls")),
    path("", include("runs.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", views.home, name="home"),
]
