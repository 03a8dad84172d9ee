"""URLs of the tasks app: generated files of the ``files`` action (spec/actions.md §5).

Included at the site root: ``path("", include("tasks_app.urls"))``.
"""

from django.urls import path

from tasks_app.files import views

app_name = "tasks_app"

urlpatterns = [
    path("files/<str:token>/<path:filename>", views.generated_file, name="generated_file"),
]
