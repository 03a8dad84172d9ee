"""Google Drive v3, Sheets v4 and the generic Google REST call, with a connected account's token.

Scope ``drive.file``: Hub reaches only files and folders it created
(spec/platform.md §6.1–§6.3). Hosts come from ``HUB_GOOGLE_DRIVE_API_URL``
(``/drive/…`` and ``/upload/…``), ``HUB_GOOGLE_SHEETS_API_URL`` and
``HUB_GOOGLE_DOCS_API_URL``.
"""

import json
import uuid
from typing import Any
from urllib.parse import quote

from django.conf import settings

from integrations.clients.base import ApiResponse, HttpClient

FOLDER_MIME_TYPE = "application/vnd.google-apps.folder"
FILE_FIELDS = "id,name,mimeType,webViewLink"
# Google applies nothing to a request it rate-limits, so 429s are always re-sent (spec/actions.md §12).
RATE_LIMIT_RETRIES = 3


def google_url(url_path: str) -> str | None:
    """The absolute URL of a ``google`` action path, or None for an unsupported prefix (spec/actions.md §13).

    ``/drive/…`` and ``/upload/…`` → Drive host; ``/sheets/v4/…`` → Sheets
    host without the ``/sheets`` prefix; ``/v1/documents…`` → Docs host.
    """
    if url_path.startswith(("/drive/", "/upload/")):
        return f"{settings.HUB_GOOGLE_DRIVE_API_URL}{url_path}"
    if url_path.startswith("/sheets/v4/") or url_path in ("/sheets/v4", "/sheets/v4/spreadsheets"):
        return f"{settings.HUB_GOOGLE_SHEETS_API_URL}{url_path[len('/sheets') :]}"
    if url_path.startswith("/v1/documents"):
        return f"{settings.HUB_GOOGLE_DOCS_API_URL}{url_path}"
    return None


def query_text(value: Any) -> str:
    """A query parameter's text: strings as is, ``true``/``false``, numbers and others as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def quote_query_literal(value: str) -> str:
    """``value`` as a single-quoted Drive query string literal (``\\`` and ``'`` escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class GoogleClient(HttpClient):
    """The generic authenticated call of the ``google`` action."""

    service_name = "Google"
    raise_for_status = False  # callers read every answer

    def send(
        self, method: str, url: str, *, headers: dict[str, str], body: Any = None, params: list | None = None
    ) -> ApiResponse:
        """Send one request and return whatever Google answers (non-2xx included).

        ``body``: dict/list → JSON, string → sent verbatim, None → no body.
        Raises ``ApiError`` only when no response arrives or the token fails.
        """
        if isinstance(body, dict | list):
            return self.request_json(method, url, body, params=params, headers=headers)
        return self.request(method, url, params=params, data=body, headers=headers)


class DriveClient(HttpClient):
    """Drive v3 calls of the ``google_drive`` and ``google_sheets`` actions; non-2xx raises ``ApiError``."""

    service_name = "Google Drive"
    rate_limit_retries = RATE_LIMIT_RETRIES

    def _url(self, path: str) -> str:
        return f"{settings.HUB_GOOGLE_DRIVE_API_URL}{path}"

    def find(self, name: str, parent_id: str, *, folder: bool) -> str | None:
        """The id of a non-trashed folder (``folder``) or file named ``name`` in ``parent_id``, else None."""
        kind = "=" if folder else "!="
        query = (
            f"name = {quote_query_literal(name)} and mimeType {kind} '{FOLDER_MIME_TYPE}' "
            f"and {quote_query_literal(parent_id)} in parents and trashed = false"
        )
        response = self.request(
            "GET",
            self._url("/drive/v3/files"),
            params={"q": query, "fields": "files(id,name)", "spaces": "drive", "pageSize": "1"},
        )
        files = (response.body or {}).get("files") or []
        return files[0]["id"] if files else None

    def create_folder(self, name: str, parent_id: str) -> str:
        """Create folder ``name`` in ``parent_id`` and return its id."""
        response = self.request_json(
            "POST",
            self._url("/drive/v3/files"),
            {"name": name, "mimeType": FOLDER_MIME_TYPE, "parents": [parent_id]},
            params={"fields": "id"},
        )
        return response.body["id"]

    def folder_id(self, segments: list[str], cache: dict[tuple[str, ...], str]) -> str:
        """The id of the folder at ``segments`` under My Drive, creating missing levels (``root`` for [])."""
        parent = "root"
        for depth in range(len(segments)):
            key = tuple(segments[: depth + 1])
            if key not in cache:
                name = segments[depth]
                cache[key] = self.find(name, parent, folder=True) or self.create_folder(name, parent)
            parent = cache[key]
        return parent

    def upload(self, name: str, content: bytes, mime_type: str, parent_id: str) -> dict:
        """Create a file by multipart upload; returns ``{"id", "name", "mimeType", "webViewLink"}``."""
        boundary = f"hub-{uuid.uuid4().hex}"
        metadata = json.dumps(
            {"name": name, "parents": [parent_id]}, separators=(",", ":"), ensure_ascii=False
        )
        body = b"".join(
            [
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
                metadata.encode(),
                f"\r\n--{boundary}\r\nContent-Type: {mime_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        response = self.request(
            "POST",
            self._url("/upload/drive/v3/files"),
            params={"uploadType": "multipart", "fields": FILE_FIELDS},
            data=body,
            headers={"Content-Type": f"multipart/related; boundary={boundary}"},
        )
        return response.body

    def replace_content(self, file_id: str, content: bytes, mime_type: str) -> dict:
        """Replace a file's content in place (the id stays); returns the file like ``upload``."""
        response = self.request(
            "PATCH",
            self._url(f"/upload/drive/v3/files/{quote(file_id, safe='')}"),
            params={"uploadType": "media", "fields": FILE_FIELDS},
            data=content,
            headers={"Content-Type": mime_type},
        )
        return response.body

    def get(self, file_id: str, fields: str) -> dict:
        """The file's metadata restricted to ``fields``."""
        response = self.request(
            "GET",
            self._url(f"/drive/v3/files/{quote(file_id, safe='')}"),
            params={"fields": fields},
        )
        return response.body

    def move(self, file_id: str, folder_id: str) -> None:
        """Move a file into ``folder_id``, out of its current parents."""
        parents = self.get(file_id, "parents").get("parents") or []
        self.request_json(
            "PATCH",
            self._url(f"/drive/v3/files/{quote(file_id, safe='')}"),
            {},
            params={"addParents": folder_id, "removeParents": ",".join(parents), "fields": "id,parents"},
        )

    def export(self, file_id: str, mime_type: str, *, max_bytes: int) -> bytes:
        """The file exported as ``mime_type``; raises ``ApiError`` beyond ``max_bytes``."""
        response = self.request(
            "GET",
            self._url(f"/drive/v3/files/{quote(file_id, safe='')}/export"),
            params={"mimeType": mime_type},
            max_bytes=max_bytes,
        )
        return response.content


class SheetsClient(HttpClient):
    """Sheets v4 calls of the ``google_sheets`` action; non-2xx raises ``ApiError`` (429 re-sent first)."""

    service_name = "Google Sheets"
    rate_limit_retries = RATE_LIMIT_RETRIES

    def _url(self, spreadsheet_id: str, suffix: str = "") -> str:
        return (
            f"{settings.HUB_GOOGLE_SHEETS_API_URL}/v4/spreadsheets/{quote(spreadsheet_id, safe='')}{suffix}"
        )

    def _values_url(self, spreadsheet_id: str, a1_range: str, verb: str = "") -> str:
        return self._url(spreadsheet_id, f"/values/{quote(a1_range, safe='')}{verb}")

    def create(self, body: dict) -> dict:
        """``POST /v4/spreadsheets``; returns the new spreadsheet (``spreadsheetId``, ``sheets``...)."""
        response = self.request_json(
            "POST",
            f"{settings.HUB_GOOGLE_SHEETS_API_URL}/v4/spreadsheets",
            body,
        )
        return response.body

    def sheets(self, spreadsheet_id: str) -> list[dict]:
        """The sheets' ``properties`` (``sheetId``, ``title``, ``index``) in tab order."""
        response = self.request(
            "GET",
            self._url(spreadsheet_id),
            params={"fields": "sheets.properties(sheetId,title,index)"},
        )
        return [sheet.get("properties") or {} for sheet in (response.body or {}).get("sheets") or []]

    def update_values(self, spreadsheet_id: str, a1_range: str, rows: list, input_option: str) -> dict:
        """``values.update``: write ``rows`` at ``a1_range``; returns ``updatedRange``, ``updatedRows``...."""
        response = self.request_json(
            "PUT",
            self._values_url(spreadsheet_id, a1_range),
            {"range": a1_range, "majorDimension": "ROWS", "values": rows},
            params={"valueInputOption": input_option},
        )
        return response.body

    def append_values(self, spreadsheet_id: str, a1_range: str, rows: list, input_option: str) -> dict:
        """``values.append`` after the table at ``a1_range``; returns ``{"updates": {...}}``."""
        response = self.request_json(
            "POST",
            self._values_url(spreadsheet_id, a1_range, ":append"),
            {"range": a1_range, "majorDimension": "ROWS", "values": rows},
            params={"valueInputOption": input_option, "insertDataOption": "INSERT_ROWS"},
        )
        return response.body

    def clear_values(self, spreadsheet_id: str, a1_range: str) -> dict:
        """``values.clear``: values go, formatting stays; returns ``clearedRange``."""
        response = self.request_json(
            "POST",
            self._values_url(spreadsheet_id, a1_range, ":clear"),
            {},
        )
        return response.body

    def get_values(self, spreadsheet_id: str, a1_range: str, render_option: str, *, max_bytes: int) -> dict:
        """``values.get`` by rows; returns ``range`` and ``values`` (absent when empty)."""
        response = self.request(
            "GET",
            self._values_url(spreadsheet_id, a1_range),
            params={"valueRenderOption": render_option, "majorDimension": "ROWS"},
            max_bytes=max_bytes,
        )
        return response.body

    def batch_update(self, spreadsheet_id: str, requests_: list[dict]) -> dict:
        """``spreadsheets.batchUpdate`` with ``requests_``; returns ``{"replies": [...]}``."""
        response = self.request_json(
            "POST",
            self._url(spreadsheet_id, ":batchUpdate"),
            {"requests": requests_},
        )
        return response.body
