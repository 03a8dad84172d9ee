"""The operator console for tasks and shop settings (spec/platform.md §9.9).

One module per area: ``tasks`` (edit, import, export, run, preview) and ``shop_data`` (cache,
globals, secrets, email templates). Events and their runs are in ``runs.admin``.
"""

from tasks_app.admin import shop_data, tasks  # noqa: F401  (registers the admin classes)
