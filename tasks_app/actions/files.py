"""The ``files`` action: generate files and publish them at temporary URLs (spec/actions.md §5)."""

from typing import Any

from tasks_app import files as file_generators
from tasks_app.actions.base import Action, ActionContext, PermanentActionError, register, require_object
from tasks_app.files import storage


@register
class FilesAction(Action):
    """Generates every file of the options' file map and stores it until ``HUB_FILES_TTL`` passes.

    Options: ``{filename: file generator}`` (at least one). Result: the same
    keys, each ``{"expires_at", "mime_type", "name", "size", "url"}`` with the
    URL served by ``tasks_app.files.views``. Generation errors are permanent,
    except ``url`` download failures (network, 5xx), which are transient.
    """

    type = "files"

    def validate(self, options: Any) -> dict:
        options = require_object(options)
        if not options:
            raise PermanentActionError("options must name at least one file")
        for name in options:
            if not name.strip() or any(char in name for char in "/\\\r\n\0"):
                raise PermanentActionError(f"{name!r} is not a usable file name")
        try:
            file_generators.validate_file_map(options)
        except file_generators.FileGeneratorError as exc:
            raise PermanentActionError(exc.args[0]) from None
        return options

    def perform(self, context: ActionContext) -> dict:
        result = {}
        for generated in file_generators.generate_files(context.options, shop=context.shop):
            stored = storage.store(generated.name, generated.content, generated.mime_type, shop=context.shop)
            result[generated.name] = {
                "expires_at": storage.iso8601(stored.expires_at),
                "mime_type": stored.mime_type,
                "name": stored.name,
                "size": stored.size,
                "url": stored.url,
            }
        return result
