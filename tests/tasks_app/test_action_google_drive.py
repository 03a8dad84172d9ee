"""The google_drive action against a local Drive v3 stand-in (spec/actions.md §11)."""

import io
import zipfile
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import connect, outcome_of, services_fixture  # noqa: F401  (fixtures)

ACCOUNT = "drive@acme.test"
FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture(autouse=True)
def _account(shop):
    connect(shop, "google", ACCOUNT, token="ya29.drive")


def multipart_parts(request) -> list[tuple[str, bytes]]:
    """``(content type, payload)`` of each part of a multipart/related upload."""
    raw = b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + request.get_data()
    message = BytesParser(policy=HTTP).parsebytes(raw)
    return [(part.get_content_type(), part.get_payload(decode=True)) for part in message.iter_parts()]


def file_reply(file_id: str, name: str, mime_type: str) -> dict:
    return {
        "id": file_id,
        "name": name,
        "mimeType": mime_type,
        "webViewLink": f"https://drive.google.com/file/d/{file_id}/view?usp=drivesdk",
    }


def test_it_creates_missing_folders_and_uploads_each_file(perform, services):
    services.expect_request("/drive/v3/files", method="GET").respond_with_json({"files": []})
    services.expect_oneshot_request("/drive/v3/files", method="POST").respond_with_json({"id": "fReports"})
    services.expect_oneshot_request("/drive/v3/files", method="POST").respond_with_json({"id": "fMonthly"})
    services.expect_oneshot_request("/upload/drive/v3/files", method="POST").respond_with_json(
        file_reply("1csv", "sales.csv", "text/csv")
    )
    services.expect_oneshot_request("/upload/drive/v3/files", method="POST").respond_with_json(
        file_reply("1txt", "simple.txt", "text/plain")
    )

    run = perform(
        "google_drive",
        {
            "account": ACCOUNT,
            "uploads": {
                "reports/monthly/sales.csv": "Date,Value\n2024-01-01,100",
                "simple.txt": "Hello world!",
            },
        },
    )

    paths = [(request.method, request.path) for request, _ in services.log]
    assert paths == [
        ("GET", "/drive/v3/files"),
        ("POST", "/drive/v3/files"),
        ("GET", "/drive/v3/files"),
        ("POST", "/drive/v3/files"),
        ("POST", "/upload/drive/v3/files"),
        ("POST", "/upload/drive/v3/files"),
    ]
    assert services.log[0][0].args["q"] == (
        f"name = 'reports' and mimeType = '{FOLDER}' and 'root' in parents and trashed = false"
    )
    assert services.log[2][0].args["q"] == (
        f"name = 'monthly' and mimeType = '{FOLDER}' and 'fReports' in parents and trashed = false"
    )
    upload = services.log[4][0]
    assert dict(upload.args) == {"uploadType": "multipart", "fields": "id,name,mimeType,webViewLink"}
    assert upload.headers["Authorization"] == "Bearer ya29.drive"
    assert multipart_parts(upload) == [
        ("application/json", b'{"name":"sales.csv","parents":["fMonthly"]}'),
        ("text/csv", b"Date,Value\n2024-01-01,100"),
    ]
    assert multipart_parts(services.log[5][0])[0] == (
        "application/json",
        b'{"name":"simple.txt","parents":["root"]}',
    )
    assert_succeeded(
        run,
        {
            "uploads": {
                "reports/monthly/sales.csv": {
                    "id": "1csv",
                    "name": "sales.csv",
                    "mime_type": "text/csv",
                    "web_view_link": "https://drive.google.com/file/d/1csv/view?usp=drivesdk",
                    "path": "reports/monthly",
                },
                "simple.txt": {
                    "id": "1txt",
                    "name": "simple.txt",
                    "mime_type": "text/plain",
                    "web_view_link": "https://drive.google.com/file/d/1txt/view?usp=drivesdk",
                    "path": "",
                },
            }
        },
    )


def test_generated_files_are_uploaded_with_their_bytes(perform, services):
    services.expect_request("/upload/drive/v3/files").respond_with_json(
        file_reply("1zip", "package.zip", "application/zip")
    )

    run = perform(
        "google_drive",
        {
            "account": ACCOUNT,
            "uploads": {
                "package.zip": {"zip": {"files": {"readme.txt": "A package"}}},
            },
        },
    )

    (content_type, payload) = multipart_parts(services.log[0][0])[1]
    assert content_type == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(payload)).read("readme.txt") == b"A package"
    assert run.result["uploads"]["package.zip"]["id"] == "1zip"


def test_overwrite_replaces_the_content_of_a_same_named_file(perform, services):
    services.expect_request("/drive/v3/files", method="GET").respond_with_json(
        {"files": [{"id": "1old", "name": "a.txt"}]}
    )
    services.expect_request("/upload/drive/v3/files/1old", method="PATCH").respond_with_json(
        file_reply("1old", "a.txt", "text/plain")
    )

    run = perform("google_drive", {"account": ACCOUNT, "uploads": {"overwrite": "true", "a.txt": "v2"}})

    find, replace = (request for request, _ in services.log)
    assert (
        find.args["q"]
        == f"name = 'a.txt' and mimeType != '{FOLDER}' and 'root' in parents and trashed = false"
    )
    assert (dict(replace.args), replace.headers["Content-Type"], replace.get_data()) == (
        {"uploadType": "media", "fields": "id,name,mimeType,webViewLink"},
        "text/plain",
        b"v2",
    )
    assert run.result["uploads"]["a.txt"]["id"] == "1old"


def test_failed_uploads_fail_the_run_and_name_each_path(task_run, services):
    services.expect_oneshot_request("/upload/drive/v3/files").respond_with_json(
        file_reply("1ok", "ok.txt", "text/plain")
    )
    services.expect_oneshot_request("/upload/drive/v3/files").respond_with_json(
        {"error": {"code": 403, "message": "The user's Drive storage quota has been exceeded."}}, status=403
    )

    outcome = outcome_of(
        task_run, "google_drive", {"account": ACCOUNT, "uploads": {"ok.txt": "1", "full.txt": "2"}}
    )

    assert (outcome.error, outcome.permanent) == (
        "1 of 2 Google Drive uploads failed: full.txt: Google Drive API error (HTTP 403): "
        "The user's Drive storage quota has been exceeded.",
        True,
    )
    assert outcome.result["uploads"]["ok.txt"]["id"] == "1ok"
    assert outcome.result["errors"] == {
        "full.txt": "Google Drive API error (HTTP 403): The user's Drive storage quota has been exceeded."
    }


def test_a_server_error_on_every_failed_upload_is_transient(task_run, services):
    services.expect_request("/upload/drive/v3/files").respond_with_data("busy", status=503)

    outcome = outcome_of(task_run, "google_drive", {"account": ACCOUNT, "uploads": {"a.txt": "1"}})

    assert (outcome.error, outcome.permanent) == (
        "1 of 1 Google Drive uploads failed: a.txt: Google Drive API error (HTTP 503): busy",
        False,
    )


@pytest.mark.parametrize(
    ("uploads", "error"),
    [
        (
            {"reports/a?.txt": "x"},
            'option "uploads": \'reports/a?.txt\' contains ?; names may not contain < > : " \\ | ? *',
        ),
        ({"reports//a.txt": "x"}, "option \"uploads\": 'reports//a.txt' has an empty folder or file name"),
        ({"overwrite": True}, 'option "uploads": must name at least one file'),
        (
            {"a.txt": {"docx": {}}},
            'option "uploads": file "a.txt": unknown file generator "docx" '
            "(expected one of base64, pdf, plaintext, url, zip)",
        ),
    ],
)
def test_invalid_uploads_fail_before_any_call(perform, services, uploads, error):
    run = perform("google_drive", {"account": ACCOUNT, "uploads": uploads})

    assert_failed(run, error)
    assert services.log == []
