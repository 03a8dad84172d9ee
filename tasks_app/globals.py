"""The shop-level Liquid objects ``globals`` and ``secrets`` (spec/platform.md §5, spec/liquid.md §5.1)."""

from tasks_app.secrets import liquid_secrets, new_nonce


def liquid_scope(shop, nonce: str | None = None) -> dict:
    """``{"globals": {key: value}, "secrets": {key: reference}}`` for a stored ``shop``, the
    ``scope`` of ``rendering.task_variables``; ``{}`` when ``shop`` is None (the built-in preview
    shop has neither). References carry ``nonce``, a fresh throwaway one by default (previews)."""
    if shop is None:
        return {}
    from tasks_app.models import Global

    return {"globals": Global.snapshot(shop), "secrets": liquid_secrets(shop, nonce or new_nonce())}
