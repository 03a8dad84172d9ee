"""The ``google_sheets`` action: spreadsheet operations over Sheets v4 (spec/actions.md §12, platform §6.3).

Every operation is one method of ``GoogleSheetsAction``; ranges are resolved
to quoted A1 notation here (first sheet looked up by its real title). The
retry policy per operation decides whether a transient Google failure is
retried (``TransientActionError``) or final; 429s are re-sent by the client and
otherwise always transient.
"""

import base64
import re
from dataclasses import dataclass
from typing import Any

from integrations.clients import ApiError
from integrations.clients.google import DriveClient, SheetsClient
from tasks_app.actions.base import (
    Action,
    ActionContext,
    ActionError,
    OptionError,
    PermanentActionError,
    TransientActionError,
    bool_option,
    describe,
    register,
    require_object,
    string_option,
    to_int,
)
from tasks_app.actions.google_drive import folder_segments
from tasks_app.actions.integrations import connection_for

OPERATIONS = (
    "create_spreadsheet",
    "append_rows",
    "update_rows",
    "clear_values",
    "get_values",
    "delete_rows",
    "add_sheet",
    "rename_sheet",
    "delete_sheet",
    "export_spreadsheet",
)
# Reads and idempotent writes: a transient failure is retried (spec/actions.md §12 retry table).
RETRIED_ON_TRANSIENT = {"get_values", "update_rows", "clear_values", "rename_sheet", "export_spreadsheet"}
VALUE_INPUT_OPTIONS = {"raw": "RAW", "user_entered": "USER_ENTERED"}
VALUE_RENDER_OPTIONS = {
    "formatted_value": "FORMATTED_VALUE",
    "unformatted_value": "UNFORMATTED_VALUE",
    "formula": "FORMULA",
}
EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "html": "application/zip",  # Drive exports a spreadsheet's HTML as a zip of one page per sheet
    "ods": "application/x-vnd.oasis.opendocument.spreadsheet",
    "tsv": "text/tab-separated-values",
}
MAX_RESULT_BYTES = 20 * 1024 * 1024
CELLS_RE = re.compile(r"[A-Za-z]{0,3}\d*(:[A-Za-z]{0,3}\d*)?")


def spreadsheet_url(spreadsheet_id: str) -> str:
    """The browser URL of spreadsheet ``spreadsheet_id``."""
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}"


def quote_sheet(name: str) -> str:
    """A sheet name quoted for A1 notation: ``'Q3 ''24'``."""
    return "'" + name.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str]:
    """``"'My Sheet'!A1:B2"`` → ``("My Sheet", "A1:B2")``; ``"A1:B2"`` → ``(None, "A1:B2")``.

    An unqualified text that is not a cell range (``"Orders"``) names a whole
    sheet: ``("Orders", "")``. Raises ``OptionError`` for an unterminated quote.
    """
    text = text.strip()
    if text.startswith("'"):
        name, index = [], 1
        while index < len(text):
            char = text[index]
            if char == "'":
                if text[index + 1 : index + 2] == "'":
                    name.append("'")
                    index += 2
                    continue
                break
            name.append(char)
            index += 1
        else:
            raise OptionError("sheet_range", f"{text!r} has an unterminated sheet name quote")
        rest = text[index + 1 :]
        if rest and not rest.startswith("!"):
            raise OptionError("sheet_range", f"{text!r} is not A1 notation")
        return "".join(name), rest[1:]
    if "!" in text:
        sheet, cells = text.split("!", 1)
        return sheet, cells
    if CELLS_RE.fullmatch(text):
        return None, text
    return text, ""


def clean_rows(options: dict, name: str = "rows", *, require: bool = False) -> list[list] | None:
    """An array of arrays of cell values (strings, numbers, booleans, null)."""
    rows = options.get(name)
    if rows is None:
        if require:
            raise OptionError(name, "is required")
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise OptionError(name, f"must be an array of arrays, got {describe(rows)}")
    for row in rows:
        for cell in row:
            if isinstance(cell, dict | list):
                raise OptionError(
                    name, f"cells must be text, numbers, booleans or null, not {describe(cell)}"
                )
    return rows


def choice_option(options: dict, name: str, choices: dict[str, str], default: str) -> str:
    """A case-insensitive choice mapped to its API value."""
    value = string_option(options, name) or default
    key = value.strip().lower()
    if key not in choices:
        raise OptionError(name, f"{value!r} is not one of {', '.join(choices)}")
    return choices[key]


@dataclass(frozen=True)
class SheetsOptions:
    """``operation`` plus its cleaned options (``values`` keyed like the task's options)."""

    account: str
    operation: str
    spreadsheet_id: str | None
    values: dict


@register
class GoogleSheetsAction(Action):
    """Creates, reads and writes spreadsheets Hub created, with a connected Google account.

    Results and errors per operation are those of spec/actions.md §12;
    ``spreadsheet_id``/``spreadsheet_url`` are in every result except
    ``export_spreadsheet`` (which has ``spreadsheet_id`` only).
    """

    type = "google_sheets"

    # --- validation

    def validate(self, options: Any) -> SheetsOptions:
        options = require_object(options)
        account = string_option(options, "account", require=True, blank=False)
        operation = string_option(options, "operation", require=True, blank=False).strip()
        if operation not in OPERATIONS:
            raise OptionError("operation", f"{operation!r} is not one of {', '.join(OPERATIONS)}")
        spreadsheet_id = None
        if operation != "create_spreadsheet":
            spreadsheet_id = string_option(options, "spreadsheet_id", require=True, blank=False).strip()
        values = getattr(self, f"clean_{operation}")(options)
        return SheetsOptions(account, operation, spreadsheet_id, values)

    def _range_options(self, options: dict, *, one_required: bool = False) -> dict:
        sheet_name = string_option(options, "sheet_name", blank=False)
        sheet_range = string_option(options, "sheet_range", blank=False)
        if one_required and sheet_name is None and sheet_range is None:
            raise OptionError("sheet_range", "or sheet_name is required")
        parsed = None
        if sheet_range is not None:
            parsed = split_range(sheet_range)
            if parsed[0] is not None and sheet_name is not None and parsed[0] != sheet_name:
                raise OptionError(
                    "sheet_range", f'names sheet "{parsed[0]}" but sheet_name is "{sheet_name}"'
                )
        return {"sheet_name": sheet_name, "sheet_range": parsed}

    def clean_create_spreadsheet(self, options: dict) -> dict:
        rows = clean_rows(options)
        sheets = options.get("sheets")
        if rows is not None and sheets is not None:
            raise OptionError("sheets", "cannot be combined with rows")
        cleaned_sheets: list[dict[str, Any]] | None = None
        if sheets is not None:
            if not isinstance(sheets, list) or not sheets:
                raise OptionError("sheets", "must be a non-empty array of {name, rows} objects")
            cleaned_sheets = []
            for index, sheet in enumerate(sheets):
                if not isinstance(sheet, dict):
                    raise OptionError("sheets", f"item {index} must be an object, got {describe(sheet)}")
                name = sheet.get("name")
                if not isinstance(name, str) or not name.strip():
                    raise OptionError("sheets", f"item {index} needs a name")
                if name in (item["name"] for item in cleaned_sheets):
                    raise OptionError("sheets", f'the sheet name "{name}" is used twice')
                cleaned_sheets.append({"name": name, "rows": clean_rows(sheet, "rows")})
        folder_path = string_option(options, "folder_path", blank=False)
        return {
            "title": string_option(options, "title") or "New Spreadsheet",
            "rows": rows,
            "sheets": cleaned_sheets,
            "folder_path": folder_path,
            "folder_segments": folder_segments(folder_path, "folder_path") if folder_path else [],
            "input": choice_option(options, "value_input_option", VALUE_INPUT_OPTIONS, "raw"),
        }

    def clean_append_rows(self, options: dict) -> dict:
        return {
            "rows": clean_rows(options, require=True),
            **self._range_options(options),
            "input": choice_option(options, "value_input_option", VALUE_INPUT_OPTIONS, "raw"),
            "retry": bool_option(options, "retry_on_transient_errors", False),
        }

    def clean_update_rows(self, options: dict) -> dict:
        return {
            "rows": clean_rows(options, require=True),
            **self._range_options(options, one_required=True),
            "input": choice_option(options, "value_input_option", VALUE_INPUT_OPTIONS, "raw"),
        }

    def clean_clear_values(self, options: dict) -> dict:
        return self._range_options(options, one_required=True)

    def clean_get_values(self, options: dict) -> dict:
        return {
            **self._range_options(options),
            "render": choice_option(options, "value_render_option", VALUE_RENDER_OPTIONS, "formatted_value"),
        }

    def clean_delete_rows(self, options: dict) -> dict:
        sheet_name = string_option(options, "sheet_name", require=True, blank=False)
        if options.get("start_row") is None:
            raise OptionError("start_row", "is required")
        start_row = to_int(options["start_row"], "start_row")
        end_row = start_row if options.get("end_row") is None else to_int(options["end_row"], "end_row")
        if start_row < 1:
            raise OptionError("start_row", f"must be 1 or more, got {start_row}")
        if end_row < start_row:
            raise OptionError("end_row", f"must not be before start_row ({start_row}), got {end_row}")
        return {"sheet_name": sheet_name, "start_row": start_row, "end_row": end_row}

    def clean_add_sheet(self, options: dict) -> dict:
        return {
            "sheet_name": string_option(options, "sheet_name", require=True, blank=False),
            "rows": clean_rows(options),
            "input": choice_option(options, "value_input_option", VALUE_INPUT_OPTIONS, "raw"),
        }

    def clean_rename_sheet(self, options: dict) -> dict:
        return {
            "sheet_name": string_option(options, "sheet_name", require=True, blank=False),
            "new_sheet_name": string_option(options, "new_sheet_name", require=True, blank=False),
        }

    def clean_delete_sheet(self, options: dict) -> dict:
        return {"sheet_name": string_option(options, "sheet_name", require=True, blank=False)}

    def clean_export_spreadsheet(self, options: dict) -> dict:
        file_type = (string_option(options, "file_type") or "xlsx").strip().lower()
        if file_type not in EXPORT_TYPES:
            raise OptionError("file_type", f"{file_type!r} is not one of {', '.join(EXPORT_TYPES)}")
        return {"file_type": file_type}

    # --- performing

    def perform(self, context: ActionContext) -> dict:
        options: SheetsOptions = context.options
        connection = connection_for(context.shop, "google", options.account)
        self.sheets_api = SheetsClient(connection)
        self.drive_api = DriveClient(connection)
        retried = options.operation in RETRIED_ON_TRANSIENT or (
            options.operation == "append_rows" and options.values["retry"]
        )
        try:
            return getattr(self, f"do_{options.operation}")(options.spreadsheet_id, options.values)
        except ApiError as exc:
            raise self.sheets_error(exc, options, retried=retried) from exc

    @staticmethod
    def sheets_error(exc: ApiError, options: SheetsOptions, *, retried: bool) -> ActionError:
        """Map a Google failure per the operation's retry policy (spec/actions.md §12)."""
        if exc.status == 404 and options.spreadsheet_id:
            return PermanentActionError(
                f"spreadsheet {options.spreadsheet_id} was not found, or was not created through Hub "
                f"(Google only lets Hub reach spreadsheets it created): {exc}"
            )
        if exc.rate_limited or (exc.transient and retried):
            return TransientActionError(str(exc))
        if exc.transient:
            return PermanentActionError(
                f"{exc} ({options.operation} is not retried automatically: Google may have applied it)"
            )
        return PermanentActionError(str(exc))

    def _sheets(self, spreadsheet_id: str) -> list[dict]:
        return sorted(self.sheets_api.sheets(spreadsheet_id), key=lambda props: props.get("index", 0))

    def _sheet(self, spreadsheet_id: str, name: str) -> tuple[dict, list[dict]]:
        sheets = self._sheets(spreadsheet_id)
        for props in sheets:
            if props.get("title") == name:
                return props, sheets
        raise PermanentActionError(f'spreadsheet {spreadsheet_id} has no sheet named "{name}"')

    def _target(self, spreadsheet_id: str, values: dict, *, default_cells: str = "") -> str:
        """The quoted A1 range of ``sheet_range``/``sheet_name``, the first sheet when neither names one."""
        parsed = values.get("sheet_range")
        sheet, cells = parsed if parsed else (None, default_cells)
        sheet = sheet or values.get("sheet_name")
        if sheet is None:
            sheets = self._sheets(spreadsheet_id)
            if not sheets:
                raise PermanentActionError(f"spreadsheet {spreadsheet_id} has no sheets")
            sheet = sheets[0]["title"]
        return f"{quote_sheet(sheet)}!{cells}" if cells else quote_sheet(sheet)

    def do_create_spreadsheet(self, _: None, values: dict) -> dict:
        body: dict = {"properties": {"title": values["title"]}}
        if values["sheets"]:
            body["sheets"] = [{"properties": {"title": sheet["name"]}} for sheet in values["sheets"]]
        created = self.sheets_api.create(body)
        spreadsheet_id = created["spreadsheetId"]
        sheet_props = [sheet.get("properties") or {} for sheet in created.get("sheets") or []]
        if values["rows"]:
            first = quote_sheet(sheet_props[0]["title"])
            self.sheets_api.update_values(spreadsheet_id, f"{first}!A1", values["rows"], values["input"])
        for sheet in values["sheets"] or []:
            if sheet["rows"]:
                target = f"{quote_sheet(sheet['name'])}!A1"
                self.sheets_api.update_values(spreadsheet_id, target, sheet["rows"], values["input"])
        if values["folder_segments"]:
            folder_id = self.drive_api.folder_id(values["folder_segments"], {})
            self.drive_api.move(spreadsheet_id, folder_id)
        result = {
            "spreadsheet_id": spreadsheet_id,
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
            "title": (created.get("properties") or {}).get("title", values["title"]),
            "folder_path": "/".join(values["folder_segments"]) or None,
        }
        if values["sheets"]:
            result["sheets"] = [
                {"name": props["title"], "sheet_id": props["sheetId"]} for props in sheet_props
            ]
        return result

    def do_append_rows(self, spreadsheet_id: str, values: dict) -> dict:
        target = self._target(spreadsheet_id, values)
        updates = self.sheets_api.append_values(spreadsheet_id, target, values["rows"], values["input"]).get(
            "updates", {}
        )
        return {
            "spreadsheet_id": spreadsheet_id,
            "updated_range": updates.get("updatedRange"),
            "updated_rows": updates.get("updatedRows", 0),
            "updated_columns": updates.get("updatedColumns", 0),
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_update_rows(self, spreadsheet_id: str, values: dict) -> dict:
        target = self._target(spreadsheet_id, values, default_cells="A1")
        updated = self.sheets_api.update_values(spreadsheet_id, target, values["rows"], values["input"])
        return {
            "spreadsheet_id": spreadsheet_id,
            "updated_range": updated.get("updatedRange"),
            "updated_rows": updated.get("updatedRows", 0),
            "updated_columns": updated.get("updatedColumns", 0),
            "updated_cells": updated.get("updatedCells", 0),
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_clear_values(self, spreadsheet_id: str, values: dict) -> dict:
        cleared = self.sheets_api.clear_values(spreadsheet_id, self._target(spreadsheet_id, values))
        return {
            "spreadsheet_id": spreadsheet_id,
            "cleared_range": cleared.get("clearedRange"),
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_get_values(self, spreadsheet_id: str, values: dict) -> dict:
        target = self._target(spreadsheet_id, values)
        try:
            read = self.sheets_api.get_values(
                spreadsheet_id, target, values["render"], max_bytes=MAX_RESULT_BYTES
            )
        except ApiError as exc:
            if exc.status is None and not exc.transient:
                raise PermanentActionError(f"{exc}: narrow sheet_range (20 MB cap)") from exc
            raise
        rows = read.get("values") or []
        return {
            "spreadsheet_id": spreadsheet_id,
            "range": read.get("range"),
            "values": rows,
            "row_count": len(rows),
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_delete_rows(self, spreadsheet_id: str, values: dict) -> dict:
        props, _ = self._sheet(spreadsheet_id, values["sheet_name"])
        dimension = {
            "sheetId": props["sheetId"],
            "dimension": "ROWS",
            "startIndex": values["start_row"] - 1,
            "endIndex": values["end_row"],
        }
        self.sheets_api.batch_update(spreadsheet_id, [{"deleteDimension": {"range": dimension}}])
        return {
            "spreadsheet_id": spreadsheet_id,
            "sheet_name": values["sheet_name"],
            "start_row": values["start_row"],
            "end_row": values["end_row"],
            "deleted_rows": values["end_row"] - values["start_row"] + 1,
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_add_sheet(self, spreadsheet_id: str, values: dict) -> dict:
        name = values["sheet_name"]
        if any(props.get("title") == name for props in self._sheets(spreadsheet_id)):
            raise PermanentActionError(f'spreadsheet {spreadsheet_id} already has a sheet named "{name}"')
        reply = self.sheets_api.batch_update(spreadsheet_id, [{"addSheet": {"properties": {"title": name}}}])
        sheet_id = reply["replies"][0]["addSheet"]["properties"]["sheetId"]
        result = {"spreadsheet_id": spreadsheet_id, "sheet_id": sheet_id, "sheet_name": name}
        if values["rows"]:
            written = self.sheets_api.update_values(
                spreadsheet_id, f"{quote_sheet(name)}!A1", values["rows"], values["input"]
            )
            result["updated_rows"] = written.get("updatedRows", 0)
            result["updated_columns"] = written.get("updatedColumns", 0)
        result["spreadsheet_url"] = spreadsheet_url(spreadsheet_id)
        return result

    def do_rename_sheet(self, spreadsheet_id: str, values: dict) -> dict:
        props, sheets = self._sheet(spreadsheet_id, values["sheet_name"])
        new_name = values["new_sheet_name"]
        if any(sheet.get("title") == new_name for sheet in sheets):
            raise PermanentActionError(f'spreadsheet {spreadsheet_id} already has a sheet named "{new_name}"')
        update = {"properties": {"sheetId": props["sheetId"], "title": new_name}, "fields": "title"}
        self.sheets_api.batch_update(spreadsheet_id, [{"updateSheetProperties": update}])
        return {
            "spreadsheet_id": spreadsheet_id,
            "sheet_id": props["sheetId"],
            "previous_sheet_name": values["sheet_name"],
            "sheet_name": new_name,
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_delete_sheet(self, spreadsheet_id: str, values: dict) -> dict:
        props, sheets = self._sheet(spreadsheet_id, values["sheet_name"])
        if len(sheets) == 1:
            raise PermanentActionError(
                f'"{values["sheet_name"]}" is the last sheet of {spreadsheet_id} and cannot be deleted'
            )
        self.sheets_api.batch_update(spreadsheet_id, [{"deleteSheet": {"sheetId": props["sheetId"]}}])
        return {
            "spreadsheet_id": spreadsheet_id,
            "sheet_id": props["sheetId"],
            "sheet_name": values["sheet_name"],
            "spreadsheet_url": spreadsheet_url(spreadsheet_id),
        }

    def do_export_spreadsheet(self, spreadsheet_id: str, values: dict) -> dict:
        file_type = values["file_type"]
        name = self.drive_api.get(spreadsheet_id, "name").get("name", "")
        data = self.drive_api.export(spreadsheet_id, EXPORT_TYPES[file_type], max_bytes=MAX_RESULT_BYTES)
        return {
            "spreadsheet_id": spreadsheet_id,
            "name": name,
            "size": len(data),
            "file_type": file_type,
            "data_base64": base64.b64encode(data).decode("ascii"),
        }
