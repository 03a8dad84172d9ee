"""The files action and the URLs it publishes (spec/actions.md §5)."""

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tasks_app.files import storage
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.HUB_FILES_ROOT = str(tmp_path / "files")
    settings.HUB_FILES_BASE_URL = "https://files.hub.test/files/"
    settings.HUB_FILES_TTL = 3600
    settings.ROOT_URLCONF = "tasks_app.urls"
    return tmp_path / "files"


def token_of(url: str) -> str:
    assert url.startswith("https://files.hub.test/files/"), url
    return url.removeprefix("https://files.hub.test/files/").split("/", 1)[0]


def test_files_are_generated_and_published(perform, client):
    before = timezone.now().replace(microsecond=0)

    run = perform(
        "files",
        {
            "journal.txt": "hello world!",
            "table.csv": "Title,SKU\nRed T-Shirt,TEE-R",
            "invoice.pdf": {"pdf": {"html": "<h1>Order #12345</h1>\n<p>It's due!</p>"}},
            "secure.zip": {"zip": {"password": "opensesame", "files": {"c.txt": "zipcrypto"}}},
        },
    )

    assert run.ok is True
    assert list(run.result) == ["journal.txt", "table.csv", "invoice.pdf", "secure.zip"]
    expires_at = run.result["journal.txt"]["expires_at"]
    expected_expiry = before + timedelta(seconds=3600)
    assert expires_at.endswith("Z")
    assert (
        0
        <= (datetime.fromisoformat(expires_at.replace("Z", "+00:00")) - expected_expiry).total_seconds()
        <= 2
    )
    tokens = {name: token_of(item["url"]) for name, item in run.result.items()}
    assert len(set(tokens.values())) == 4 and all(len(token) == 43 for token in tokens.values())
    pdf_size = run.result["invoice.pdf"]["size"]
    assert_succeeded(
        run,
        {
            "journal.txt": {
                "expires_at": expires_at,
                "mime_type": "text/plain",
                "name": "journal.txt",
                "size": 12,
                "url": f"https://files.hub.test/files/{tokens['journal.txt']}/journal.txt",
            },
            "table.csv": {
                "expires_at": run.result["table.csv"]["expires_at"],
                "mime_type": "text/csv",
                "name": "table.csv",
                "size": 27,
                "url": f"https://files.hub.test/files/{tokens['table.csv']}/table.csv",
            },
            "invoice.pdf": {
                "expires_at": run.result["invoice.pdf"]["expires_at"],
                "mime_type": "application/pdf",
                "name": "invoice.pdf",
                "size": pdf_size,
                "url": f"https://files.hub.test/files/{tokens['invoice.pdf']}/invoice.pdf",
            },
            "secure.zip": {
                "expires_at": run.result["secure.zip"]["expires_at"],
                "mime_type": "application/zip",
                "name": "secure.zip",
                "size": run.result["secure.zip"]["size"],
                "url": f"https://files.hub.test/files/{tokens['secure.zip']}/secure.zip",
            },
        },
    )

    response = client.get(f"/files/{tokens['invoice.pdf']}/invoice.pdf")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(pdf_size)
    assert response["Content-Disposition"] == 'inline; filename="invoice.pdf"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert PdfReader(io.BytesIO(body)).pages[0].extract_text() == "Order #12345\nIt's due!"

    text = client.get(f"/files/{tokens['journal.txt']}/journal.txt")
    assert (text["Content-Type"], b"".join(text.streaming_content)) == ("text/plain", b"hello world!")


def test_a_name_with_spaces_is_quoted_in_the_url(perform, client):
    run = perform("files", {"my report é.txt": "x"})

    url = run.result["my report é.txt"]["url"]
    assert url.endswith("/my%20report%20%C3%A9.txt")
    response = client.get(url.removeprefix("https://files.hub.test"))
    assert b"".join(response.streaming_content) == b"x"


def test_unknown_tokens_wrong_names_and_expired_files_are_404(perform, client, settings):
    run = perform("files", {"a.txt": "a"})
    token = token_of(run.result["a.txt"]["url"])

    assert client.get(f"/files/{token}/b.txt").status_code == 404
    assert client.get(f"/files/{'x' * 43}/a.txt").status_code == 404
    assert client.get("/files/short/a.txt").status_code == 404
    assert client.post(f"/files/{token}/a.txt").status_code == 405

    settings.HUB_FILES_TTL = 0
    expired = perform("files", {"old.txt": "o"})
    old_token = token_of(expired.result["old.txt"]["url"])
    assert client.get(f"/files/{old_token}/old.txt").status_code == 404
    assert storage.purge_expired() == 1
    assert client.get(f"/files/{token}/a.txt").status_code == 200


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({}, "options must name at least one file"),
        (["a.txt"], "options must be an object, got array"),
        ({"a/b.txt": "x"}, "'a/b.txt' is not a usable file name"),
        ({"a.txt": {"pdf": {}}}, 'file "a.txt": the pdf generator needs "html", a string'),
    ],
)
def test_invalid_options_fail(perform, options, error):
    assert_failed(perform("files", options), error)


def test_a_url_generator_failure_fails_the_run(perform, httpserver, settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    httpserver.expect_request("/img").respond_with_data("", status=503)

    run = perform("files", {"external.jpg": {"url": httpserver.url_for("/img")}})

    assert_failed(run, f'file "external.jpg": GET {httpserver.url_for("/img")}: HTTP 503 response')


def test_url_generators_are_refused_for_internal_addresses(perform):
    run = perform("files", {"meta.json": {"url": "http://169.254.169.254/latest/"}})

    assert_failed(
        run,
        'file "meta.json": GET http://169.254.169.254/latest/: refused to connect to 169.254.169.254 '
        "(cloud metadata address); allow it with HUB_HTTP_ALLOW_PRIVATE",
    )
