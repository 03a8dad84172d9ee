"""The ``google_drive`` action: upload generated files into Hub-created Drive folders (spec/actions.md §11).

Each ``uploads`` key is a path (``reports/2024/file.pdf``); folders are found
or created level by level (only Hub-created ones are visible with the
``drive.file`` scope), files are generated with the shared file generators
(§16) and sent by multipart upload. With ``overwrite: true`` a same-named file
in the folder gets its content replaced in place, keeping its id.
"""

from dataclasses import dataclass
from typing import Any

from integrations.clients import ApiError
from integrations.clients.google import DriveClient
from tasks_app.actions.base import (
    Action,
    ActionContext,
    ActionError,
    OptionError,
    register,
    require_object,
    string_option,
    to_bool,
)
from tasks_app.actions.integrations import PartialFailure, connection_for, object_option
from tasks_app.files import FileGeneratorError, generate_file, validate_file_map

INVALID_NAME_CHARACTERS = '<>:"\\|?*'
INVALID_SHOWN = " ".join(INVALID_NAME_CHARACTERS)


def folder_segments(path: str, option: str) -> list[str]:
    """``"a/b/c"`` → ``["a", "b", "c"]``; raises ``OptionError`` for empty segments or invalid characters."""
    segments = path.split("/")
    for segment in segments:
        if not segment.strip():
            raise OptionError(option, f"{path!r} has an empty folder or file name")
        bad = sorted({char for char in segment if char in INVALID_NAME_CHARACTERS})
        if bad:
            found = " ".join(bad)
            raise OptionError(option, f"{path!r} contains {found}; names may not contain {INVALID_SHOWN}")
    return segments


@dataclass(frozen=True)
class DriveOptions:
    """Validated ``google_drive`` options (spec/actions.md §11).

    ``account``: the connection label; ``uploads``: path → file generator; ``overwrite``: taken
    from ``uploads.overwrite`` (default false).
    """

    account: str
    uploads: dict[str, Any]
    overwrite: bool


@register
class GoogleDriveAction(Action):
    """Uploads every file of ``uploads`` with a connected Google account.

    Result ``{"uploads": {<path>: {"id", "name", "mime_type", "web_view_link",
    "path"}}}`` (``path`` is the folder part, ``""`` at the root). When any
    upload fails the run fails; the error lists each failed path, and the
    exception carries ``{"uploads": {...succeeded...}, "errors": {path: message}}``
    (``PartialFailure``), transient only when every failure was.
    """

    type = "google_drive"

    def validate(self, options: Any) -> DriveOptions:
        options = require_object(options)
        account = string_option(options, "account", require=True, blank=False)
        uploads = dict(object_option(options, "uploads", require=True))
        overwrite = False
        if "overwrite" in uploads:
            overwrite = to_bool(uploads.pop("overwrite"), "uploads.overwrite")
        if not uploads:
            raise OptionError("uploads", "must name at least one file")
        for path in uploads:
            folder_segments(path, "uploads")
        try:
            validate_file_map(uploads)
        except FileGeneratorError as exc:
            raise OptionError("uploads", str(exc)) from None
        return DriveOptions(account=account, uploads=uploads, overwrite=overwrite)

    def perform(self, context: ActionContext) -> dict:
        options: DriveOptions = context.options
        drive = DriveClient(connection_for(context.shop, "google", options.account))
        folders: dict[tuple[str, ...], str] = {}
        uploaded: dict[str, dict] = {}
        errors: dict[str, str] = {}
        transient: list[bool] = []
        for path, generator in options.uploads.items():
            *folder, name = path.split("/")
            try:
                generated = generate_file(path, generator, shop=context.shop)
                parent = drive.folder_id(folder, folders)
                existing = drive.find(name, parent, folder=False) if options.overwrite else None
                if existing:
                    stored = drive.replace_content(existing, generated.content, generated.mime_type)
                else:
                    stored = drive.upload(name, generated.content, generated.mime_type, parent)
            except (ApiError, ActionError) as exc:
                errors[path] = str(exc)
                transient.append(exc.transient if isinstance(exc, ApiError) else not exc.permanent)
                continue
            uploaded[path] = {
                "id": stored.get("id"),
                "name": stored.get("name", name),
                "mime_type": stored.get("mimeType", generated.mime_type),
                "web_view_link": stored.get("webViewLink"),
                "path": "/".join(folder),
            }
        if errors:
            summary = "; ".join(f"{path}: {message}" for path, message in errors.items())
            raise PartialFailure(
                f"{len(errors)} of {len(options.uploads)} Google Drive uploads failed: {summary}",
                {"uploads": uploaded, "errors": errors},
                permanent=not all(transient),
            )
        return {"uploads": uploaded}
