"""Shared helpers for the dialect tests."""

from datetime import UTC, datetime

from tasks_app.liquid import RenderSettings, render_script, render_text

NOW = datetime(2024, 3, 10, 15, 30, 45, 123456, tzinfo=UTC)


def settings(**overrides) -> RenderSettings:
    """Settings with a fixed "now"."""
    return RenderSettings(now=overrides.pop("now", NOW), **overrides)


def text(source: str, variables: dict | None = None, **overrides) -> str:
    """Render ``source`` to text."""
    return render_text(source, variables or {}, settings(**overrides))


def script(source: str, variables: dict | None = None, **overrides) -> list[dict]:
    """Render ``source`` as a task script."""
    return render_script(source, variables or {}, settings(**overrides))
