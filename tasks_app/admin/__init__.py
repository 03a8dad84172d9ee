"""The operator console for tasks, runs and shop settings (spec/platform.md §9.9).

One module per area: ``tasks`` (edit, import, export, run, preview), ``runs``
(task runs and action runs, read-only), ``shop_data`` (cache, globals, secrets,
email templates).
"""

from tasks_app.admin import runs, shop_data, tasks  # noqa: F401  (registers the admin classes)
