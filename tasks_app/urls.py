"""URLs of the tasks app: generated files of the ``files`` action (spec/actions.md §5) and cache
endpoints (spec/platform.md §4.6), run links (§6.7).

Included at the site root: ``path("", include("tasks_app.urls"))``.
"""

from django.urls import path

from tasks_app.cache_endpoints import cache_endpoint
from tasks_app.files import views
from tasks_app.run_link_views import resource_run, task_run_link

app_name = "tasks_app"

urlpatterns = [
    path("files/<str:token>/<path:filename>", views.generated_file, name="generated_file"),
    path("cache/<str:endpoint_id>", cache_endpoint, name="cache_endpoint"),
    path("app/tasks/run", resource_run, name="resource_run"),
    path("app/tasks/<str:task_id>/run", task_run_link, name="task_run_link"),
]
