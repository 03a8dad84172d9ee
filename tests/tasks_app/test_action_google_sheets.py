"""The google_sheets action against a local Sheets v4 / Drive v3 stand-in (spec/actions.md §12)."""

import base64
import json

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import connect, outcome_of, services_fixture  # noqa: F401  (fixtures)

ACCOUNT = "sheets@acme.test"
SID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
URL = f"https://docs.google.com/spreadsheets/d/{SID}"
SHEETS = {
    "sheets": [
        {"properties": {"sheetId": 0, "title": "Sheet1", "index": 0}},
        {"properties": {"sheetId": 777, "title": "Q3 '24", "index": 1}},
    ]
}


@pytest.fixture(autouse=True)
def _account(shop):
    connect(shop, "google", ACCOUNT, token="ya29.a0")


def expect_sheets(services):
    services.expect_request(
        f"/v4/spreadsheets/{SID}",
        method="GET",
        query_string={"fields": "sheets.properties(sheetId,title,index)"},
    ).respond_with_json(SHEETS)


def sent_json(services, index: int):
    return json.loads(services.log[index][0].get_data())


def test_create_spreadsheet_writes_the_header_row_to_the_first_sheet(perform, services):
    services.expect_request("/v4/spreadsheets", method="POST").respond_with_json(
        {"spreadsheetId": SID, "properties": {"title": "Orders"}, "sheets": SHEETS["sheets"][:1]}
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Sheet1'!A1", method="PUT").respond_with_json(
        {"spreadsheetId": SID, "updatedRange": "Sheet1!A1:B1", "updatedRows": 1, "updatedColumns": 2}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "create_spreadsheet",
            "title": "Orders",
            "rows": [["Order Number", "Date"]],
        },
    )

    assert sent_json(services, 0) == {"properties": {"title": "Orders"}}
    assert services.log[1][0].args["valueInputOption"] == "RAW"
    assert sent_json(services, 1) == {
        "range": "'Sheet1'!A1",
        "majorDimension": "ROWS",
        "values": [["Order Number", "Date"]],
    }
    assert services.log[0][0].headers["Authorization"] == "Bearer ya29.a0"
    assert_succeeded(
        run, {"spreadsheet_id": SID, "spreadsheet_url": URL, "title": "Orders", "folder_path": None}
    )


def test_create_spreadsheet_with_sheets_in_a_folder(perform, services):
    created_sheets = [
        {"properties": {"sheetId": 0, "title": "Orders"}},
        {"properties": {"sheetId": 1234, "title": "Refunds"}},
    ]
    services.expect_request("/v4/spreadsheets", method="POST").respond_with_json(
        {"spreadsheetId": SID, "properties": {"title": "Sales"}, "sheets": created_sheets}
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders'!A1", method="PUT").respond_with_json({})
    services.expect_request("/drive/v3/files", method="GET").respond_with_json({"files": []})
    services.expect_request("/drive/v3/files", method="POST").respond_with_json({"id": "fold1"})
    services.expect_request(f"/drive/v3/files/{SID}", method="GET").respond_with_json({"parents": ["root0"]})
    services.expect_request(f"/drive/v3/files/{SID}", method="PATCH").respond_with_json(
        {"id": SID, "parents": ["fold1"]}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "create_spreadsheet",
            "title": "Sales",
            "folder_path": "reports",
            "value_input_option": "user_entered",
            "sheets": [{"name": "Orders", "rows": [["Order ID", "Total"]]}, {"name": "Refunds"}],
        },
    )

    assert sent_json(services, 0) == {
        "properties": {"title": "Sales"},
        "sheets": [{"properties": {"title": "Orders"}}, {"properties": {"title": "Refunds"}}],
    }
    assert services.log[1][0].args["valueInputOption"] == "USER_ENTERED"
    assert services.log[2][0].args["q"] == (
        "name = 'reports' and mimeType = 'application/vnd.google-apps.folder' "
        "and 'root' in parents and trashed = false"
    )
    assert sent_json(services, 3) == {
        "name": "reports",
        "mimeType": "application/vnd.google-apps.folder",
        "parents": ["root"],
    }
    assert dict(services.log[5][0].args) == {
        "addParents": "fold1",
        "removeParents": "root0",
        "fields": "id,parents",
    }
    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "spreadsheet_url": URL,
            "title": "Sales",
            "folder_path": "reports",
            "sheets": [{"name": "Orders", "sheet_id": 0}, {"name": "Refunds", "sheet_id": 1234}],
        },
    )


def test_append_rows_targets_the_first_sheet_by_its_real_title(perform, services):
    expect_sheets(services)
    services.expect_request(
        f"/v4/spreadsheets/{SID}/values/'Sheet1':append", method="POST"
    ).respond_with_json(
        {
            "spreadsheetId": SID,
            "tableRange": "Sheet1!A1:F1",
            "updates": {
                "spreadsheetId": SID,
                "updatedRange": "Sheet1!A2:F2",
                "updatedRows": 1,
                "updatedColumns": 6,
                "updatedCells": 6,
            },
        }
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "append_rows",
            "spreadsheet_id": SID,
            "rows": [[1001, "2024-01-01", "Ann Lee", "10.00", "1x Hat", "paid"]],
        },
    )

    assert dict(services.log[1][0].args) == {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "updated_range": "Sheet1!A2:F2",
            "updated_rows": 1,
            "updated_columns": 6,
            "spreadsheet_url": URL,
        },
    )


def test_update_rows_combines_an_unqualified_range_with_the_quoted_sheet_name(perform, services):
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Q3 ''24'!A5:C5", method="PUT").respond_with_json(
        {"updatedRange": "'Q3 ''24'!A5:C5", "updatedRows": 1, "updatedColumns": 3, "updatedCells": 3}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "update_rows",
            "spreadsheet_id": SID,
            "sheet_name": "Q3 '24",
            "sheet_range": "A5:C5",
            "rows": [["1001", "Ann", "9"]],
        },
    )

    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "updated_range": "'Q3 ''24'!A5:C5",
            "updated_rows": 1,
            "updated_columns": 3,
            "updated_cells": 3,
            "spreadsheet_url": URL,
        },
    )


def test_clear_values_of_a_whole_sheet(perform, services):
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders':clear", method="POST").respond_with_json(
        {"spreadsheetId": SID, "clearedRange": "Orders!A1:Z1000"}
    )

    run = perform(
        "google_sheets",
        {"account": ACCOUNT, "operation": "clear_values", "spreadsheet_id": SID, "sheet_name": "Orders"},
    )

    assert_succeeded(run, {"spreadsheet_id": SID, "cleared_range": "Orders!A1:Z1000", "spreadsheet_url": URL})


def test_get_values_reads_rows(perform, services):
    services.expect_request(
        f"/v4/spreadsheets/{SID}/values/'Orders'!A1:C100",
        query_string={"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"},
    ).respond_with_json(
        {"range": "Orders!A1:C100", "majorDimension": "ROWS", "values": [["Order ID"], ["1001"]]}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "get_values",
            "spreadsheet_id": SID,
            "sheet_range": "Orders!A1:C100",
            "value_render_option": "unformatted_value",
        },
    )

    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "range": "Orders!A1:C100",
            "values": [["Order ID"], ["1001"]],
            "row_count": 2,
            "spreadsheet_url": URL,
        },
    )


def test_delete_rows_sends_zero_based_half_open_indexes(perform, services):
    expect_sheets(services)
    services.expect_request(f"/v4/spreadsheets/{SID}:batchUpdate", method="POST").respond_with_json(
        {"replies": [{}]}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "delete_rows",
            "spreadsheet_id": SID,
            "sheet_name": "Q3 '24",
            "start_row": 5,
            "end_row": "7",
        },
    )

    assert sent_json(services, 1) == {
        "requests": [
            {
                "deleteDimension": {
                    "range": {"sheetId": 777, "dimension": "ROWS", "startIndex": 4, "endIndex": 7}
                }
            }
        ]
    }
    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "sheet_name": "Q3 '24",
            "start_row": 5,
            "end_row": 7,
            "deleted_rows": 3,
            "spreadsheet_url": URL,
        },
    )


def test_add_sheet_with_rows(perform, services):
    expect_sheets(services)
    services.expect_request(f"/v4/spreadsheets/{SID}:batchUpdate").respond_with_json(
        {"replies": [{"addSheet": {"properties": {"sheetId": 5678, "title": "Q4"}}}]}
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Q4'!A1", method="PUT").respond_with_json(
        {"updatedRows": 1, "updatedColumns": 2, "updatedCells": 2}
    )

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "add_sheet",
            "spreadsheet_id": SID,
            "sheet_name": "Q4",
            "rows": [["Date", "Revenue"]],
        },
    )

    assert sent_json(services, 1) == {"requests": [{"addSheet": {"properties": {"title": "Q4"}}}]}
    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "sheet_id": 5678,
            "sheet_name": "Q4",
            "updated_rows": 1,
            "updated_columns": 2,
            "spreadsheet_url": URL,
        },
    )


def test_rename_sheet(perform, services):
    expect_sheets(services)
    services.expect_request(f"/v4/spreadsheets/{SID}:batchUpdate").respond_with_json({"replies": [{}]})

    run = perform(
        "google_sheets",
        {
            "account": ACCOUNT,
            "operation": "rename_sheet",
            "spreadsheet_id": SID,
            "sheet_name": "Q3 '24",
            "new_sheet_name": "Q3 Archive",
        },
    )

    assert sent_json(services, 1) == {
        "requests": [
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": 777, "title": "Q3 Archive"},
                    "fields": "title",
                }
            }
        ]
    }
    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "sheet_id": 777,
            "previous_sheet_name": "Q3 '24",
            "sheet_name": "Q3 Archive",
            "spreadsheet_url": URL,
        },
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            {"operation": "add_sheet", "sheet_name": "Sheet1"},
            f'spreadsheet {SID} already has a sheet named "Sheet1"',
        ),
        ({"operation": "delete_sheet", "sheet_name": "Nope"}, f'spreadsheet {SID} has no sheet named "Nope"'),
    ],
)
def test_sheet_name_conflicts_fail_permanently(perform, services, options, error):
    expect_sheets(services)

    run = perform("google_sheets", {"account": ACCOUNT, "spreadsheet_id": SID, **options})

    assert_failed(run, error)


def test_the_last_sheet_cannot_be_deleted(perform, services):
    services.expect_request(f"/v4/spreadsheets/{SID}").respond_with_json({"sheets": SHEETS["sheets"][:1]})

    run = perform(
        "google_sheets",
        {"account": ACCOUNT, "operation": "delete_sheet", "spreadsheet_id": SID, "sheet_name": "Sheet1"},
    )

    assert_failed(run, f'"Sheet1" is the last sheet of {SID} and cannot be deleted')


def test_export_spreadsheet_returns_the_file_as_base64(perform, services):
    pdf = b"%PDF-1.4 exported"
    services.expect_request(f"/drive/v3/files/{SID}", query_string="fields=name").respond_with_json(
        {"name": "Orders"}
    )
    services.expect_request(
        f"/drive/v3/files/{SID}/export", query_string="mimeType=application%2Fpdf"
    ).respond_with_data(pdf, content_type="application/pdf")

    run = perform(
        "google_sheets",
        {"account": ACCOUNT, "operation": "export_spreadsheet", "spreadsheet_id": SID, "file_type": "pdf"},
    )

    assert_succeeded(
        run,
        {
            "spreadsheet_id": SID,
            "name": "Orders",
            "size": len(pdf),
            "file_type": "pdf",
            "data_base64": base64.b64encode(pdf).decode(),
        },
    )


def test_a_rate_limited_request_is_resent(perform, services):
    services.expect_oneshot_request(f"/v4/spreadsheets/{SID}/values/'Orders':clear").respond_with_json(
        {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}, status=429
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders':clear").respond_with_json(
        {"clearedRange": "Orders"}
    )

    run = perform(
        "google_sheets",
        {"account": ACCOUNT, "operation": "clear_values", "spreadsheet_id": SID, "sheet_name": "Orders"},
    )

    assert len(services.log) == 2
    assert_succeeded(run, {"spreadsheet_id": SID, "cleared_range": "Orders", "spreadsheet_url": URL})


@pytest.mark.parametrize(
    ("options", "permanent", "suffix"),
    [
        (
            {"operation": "append_rows", "rows": [["x"]]},
            True,
            " (append_rows is not retried automatically: Google may have applied it)",
        ),
        ({"operation": "append_rows", "rows": [["x"]], "retry_on_transient_errors": "true"}, False, ""),
        ({"operation": "update_rows", "rows": [["x"]]}, False, ""),
    ],
)
def test_server_errors_follow_the_retry_table(task_run, services, options, permanent, suffix):
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders'!A1:append").respond_with_json(
        {"error": {"code": 503, "message": "The service is currently unavailable."}}, status=503
    )
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders'!A1").respond_with_json(
        {"error": {"code": 503, "message": "The service is currently unavailable."}}, status=503
    )

    outcome = outcome_of(
        task_run,
        "google_sheets",
        {"account": ACCOUNT, "spreadsheet_id": SID, "sheet_range": "Orders!A1", **options},
    )

    assert (outcome.error, outcome.permanent) == (
        f"Google Sheets API error (HTTP 503): The service is currently unavailable.{suffix}",
        permanent,
    )


def test_a_spreadsheet_not_created_by_hub_is_reported_as_such(task_run, services):
    services.expect_request(f"/v4/spreadsheets/{SID}/values/'Orders'").respond_with_json(
        {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}},
        status=404,
    )

    outcome = outcome_of(
        task_run,
        "google_sheets",
        {"account": ACCOUNT, "operation": "get_values", "spreadsheet_id": SID, "sheet_name": "Orders"},
    )

    assert (outcome.error, outcome.permanent) == (
        f"spreadsheet {SID} was not found, or was not created through Hub (Google only lets Hub reach "
        "spreadsheets it created): Google Sheets API error (HTTP 404): Requested entity was not found.",
        True,
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            {"operation": "sort_rows"},
            "option \"operation\": 'sort_rows' is not one of create_spreadsheet, "
            "append_rows, update_rows, clear_values, get_values, delete_rows, add_sheet, rename_sheet, "
            "delete_sheet, export_spreadsheet",
        ),
        ({"operation": "append_rows", "rows": [["x"]]}, 'option "spreadsheet_id": is required'),
        (
            {"operation": "create_spreadsheet", "rows": [["a"]], "sheets": [{"name": "A"}]},
            'option "sheets": cannot be combined with rows',
        ),
        (
            {
                "operation": "update_rows",
                "spreadsheet_id": SID,
                "rows": [["x"]],
                "sheet_name": "Orders",
                "sheet_range": "Refunds!A1",
            },
            'option "sheet_range": names sheet "Refunds" but sheet_name is "Orders"',
        ),
        (
            {"operation": "clear_values", "spreadsheet_id": SID},
            'option "sheet_range": or sheet_name is required',
        ),
        (
            {"operation": "create_spreadsheet", "folder_path": "a/b:c"},
            'option "folder_path": \'a/b:c\' contains :; names may not contain < > : " \\ | ? *',
        ),
        (
            {"operation": "export_spreadsheet", "spreadsheet_id": SID, "file_type": "docx"},
            "option \"file_type\": 'docx' is not one of xlsx, csv, pdf, html, ods, tsv",
        ),
    ],
)
def test_invalid_options_fail_before_any_call(perform, services, options, error):
    run = perform("google_sheets", {"account": ACCOUNT, **options})

    assert_failed(run, error)
    assert services.log == []
