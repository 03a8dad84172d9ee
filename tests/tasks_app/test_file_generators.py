"""File generators (spec/actions.md §16): plaintext, base64, pdf, url, zip, and their limits."""

import io
import zipfile
import zlib

import pytest
from pypdf import PdfReader
from werkzeug import Response

from tasks_app.files import (
    MAX_FILE_BYTES,
    FileFetchError,
    FileGeneratorError,
    GeneratedFile,
    generate_files,
)
from tasks_app.files.zip import ZipCrypto, build_encrypted_zip


def generate_one(value, name="f"):
    (generated,) = generate_files({name: value})
    return generated


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("name", "mime_type"),
    [
        ("a.txt", "text/plain"),
        ("a.csv", "text/csv"),
        ("a.json", "application/json"),
        ("README", "text/plain"),
    ],
)
def test_a_string_is_a_utf8_plaintext_file(name, mime_type):
    assert generate_one("héllo\n", name) == GeneratedFile(name, "héllo\n".encode(), mime_type)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ("aGVsbG8=", b"hello"),
        ("aGVs\n bG8=", b"hello"),
        ("aGVsbG8", b"hello"),
        ("_-8=", b"\xff\xef"),
        ("/+8=", b"\xff\xef"),
    ],
)
def test_base64_is_decoded(text, content):
    assert generate_one({"base64": text}, "x.bin") == GeneratedFile(
        "x.bin", content, "application/octet-stream"
    )


def test_base64_keeps_the_type_of_the_name():
    assert generate_one({"base64": "iVBORw0KGgo="}, "logo.png").mime_type == "image/png"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"f": {"base64": "a$b"}}, 'file "f": the base64 generator\'s value is not valid base64'),
        ({"f": {"base64": "abcde"}}, 'file "f": the base64 generator\'s value is not valid base64'),
        ({"f": {"base64": 5}}, 'file "f": the base64 generator takes a base64 string'),
        (
            {"f": {"plaintext": "x"}},
            'file "f": the plaintext generator is implicit: give the content as a string',
        ),
        (
            {"f": {"csv": "x"}},
            'file "f": unknown file generator "csv" (expected one of base64, pdf, plaintext, url, zip)',
        ),
        ({"f": {}}, 'file "f": a file generator object has exactly one key, got none'),
        (
            {"f": {"pdf": {"html": "x"}, "url": "y"}},
            'file "f": a file generator object has exactly one key, got "pdf", "url"',
        ),
        ({"f": None}, 'file "f": a file generator is a string or an object with one generator key, got null'),
        ({" ": "x"}, "file names must not be blank"),
        ({"f": {"pdf": "<p>x</p>"}}, 'file "f": the pdf generator takes an object with "html"'),
        (
            {"f": {"pdf": {"html": "x", "margin_top": "ten"}}},
            'file "f": pdf option "margin_top" must be a length such as "10mm" or "7in"',
        ),
        (
            {"f": {"pdf": {"html": "x", "orientation": "sideways"}}},
            'file "f": pdf option "orientation" must be "portrait" or "landscape"',
        ),
        (
            {"f": {"pdf": {"html": "x", "page_size": "A4; color: red"}}},
            'file "f": pdf option "page_size" must be a size name such as "A4" or "Letter"',
        ),
        (
            {"f": {"url": "ftp://x.example/a"}},
            "file \"f\": the url generator needs an http:// or https:// URL, got 'ftp://x.example/a'",
        ),
        (
            {"f": {"url": {"href": "x"}}},
            'file "f": the url generator takes an http:// or https:// URL string',
        ),
        (
            {"z": {"zip": {"files": {"a": {"base64": "$"}}}}},
            'file "z" > "a": the base64 generator\'s value is not valid base64',
        ),
        (
            {"z": {"zip": {"files": {"../a": "x"}}}},
            'file "z" > "../a": ZIP entry names are relative paths with / between non-empty folder names',
        ),
        (
            {"z": {"zip": {"files": {"/etc/a": "x"}}}},
            'file "z" > "/etc/a": ZIP entry names are relative paths with / between non-empty folder names',
        ),
        (
            {"z": {"zip": {"files": {"a": "x"}, "level": 9}}},
            'file "z": the zip generator does not take "level"',
        ),
        ({"z": {"zip": {"files": {}, "password": 1}}}, 'file "z": the zip "password" must be a string'),
        ("x", "must be an object of filename → file generator, got string"),
    ],
)
def test_bad_generators_are_permanent_errors(spec, message):
    with pytest.raises(FileGeneratorError) as error:
        generate_files(spec)

    assert str(error.value) == message
    assert error.value.permanent is True


def test_a_file_over_20_mb_fails():
    with pytest.raises(FileGeneratorError) as error:
        generate_files({"big.txt": "x" * (MAX_FILE_BYTES + 1)})

    assert (
        str(error.value)
        == 'file "big.txt": the generated file is 20971521 bytes; the limit is 20971520 bytes (20 MB)'
    )


def test_a_file_of_exactly_20_mb_passes():
    assert generate_one("x" * MAX_FILE_BYTES).size == MAX_FILE_BYTES


# --- pdf ------------------------------------------------------------------------------------------------


def test_html_is_rendered_to_pdf():
    generated = generate_one(
        {"pdf": {"html": "<h1>Order #12345</h1>\n<p>It's due!</p>", "__force_pdfcrowd": True}}, "invoice.pdf"
    )

    assert generated.mime_type == "application/pdf"
    assert generated.content.startswith(b"%PDF-")
    assert pdf_text(generated.content) == "Order #12345\nIt's due!"
    page = PdfReader(io.BytesIO(generated.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4


@pytest.mark.parametrize(
    ("options", "size"),
    [
        ({"page_size": "Letter"}, (612, 792)),
        ({"page_size": "Letter", "orientation": "landscape"}, (792, 612)),
        ({"orientation": "landscape"}, (842, 595)),
        ({"page_width": "7in", "page_height": "5in"}, (504, 360)),
        ({"page_width": "100mm", "page_height": 144}, (283, 144)),
    ],
)
def test_page_options_set_the_page_size(options, size):
    generated = generate_one({"pdf": {"html": "<p>x</p>", **options}})

    page = PdfReader(io.BytesIO(generated.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_headers_and_footers_carry_page_numbers():
    html = "<p>first</p><p style='page-break-before: always'>second</p>"
    header = "<span>Invoice</span>"
    footer = 'Page <span class="pdfcrowd-page-number"></span> of <span class="pdfcrowd-page-count"></span>'

    generated = generate_one(
        {"pdf": {"html": html, "header_html": header, "footer_html": footer, "margin_top": "20mm"}}
    )

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(generated.content)).pages]
    assert pages == ["first\nInvoice\nPage 1 of 2", "second\nInvoice\nPage 2 of 2"]


def test_local_files_are_never_read(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LEAKED' }")

    generated = generate_one({"pdf": {"html": f'<link rel="stylesheet" href="file://{secret}"><p>safe</p>'}})

    assert pdf_text(generated.content) == "safe"


def test_remote_resources_go_through_the_guard(httpserver, settings):
    httpserver.expect_request("/style.css").respond_with_data(
        "p::after { content: ' styled' }", content_type="text/css"
    )
    html = f'<link rel="stylesheet" href="{httpserver.url_for("/style.css")}"><p>text</p>'

    refused = generate_one({"pdf": {"html": html}})
    assert (pdf_text(refused.content), httpserver.log) == ("text", [])

    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]
    allowed = generate_one({"pdf": {"html": html}})
    assert pdf_text(allowed.content) == "text styled"
    assert [entry[0].path for entry in httpserver.log] == ["/style.css"]


# --- url ------------------------------------------------------------------------------------------------


@pytest.fixture
def local(settings):
    settings.HUB_HTTP_ALLOW_PRIVATE = ["127.0.0.1"]


def test_a_url_is_downloaded_with_redirects(httpserver, local):
    httpserver.expect_request("/old.jpg").respond_with_response(
        Response(status=301, headers={"Location": "/new.jpg"})
    )
    httpserver.expect_request("/new.jpg").respond_with_data(
        b"\xff\xd8jpeg", content_type="image/jpeg; charset=binary"
    )

    generated = generate_one({"url": httpserver.url_for("/old.jpg")}, "photo.jpg")

    assert generated == GeneratedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")


def test_a_url_without_a_content_type_is_typed_by_name(httpserver, local):
    response = Response(b"a,b")
    del response.headers["Content-Type"]
    httpserver.expect_request("/d").respond_with_response(response)

    assert generate_one({"url": httpserver.url_for("/d")}, "d.csv") == GeneratedFile(
        "d.csv", b"a,b", "text/csv"
    )


def test_a_4xx_download_is_permanent_and_a_5xx_transient(httpserver, local):
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    httpserver.expect_request("/busy").respond_with_data("", status=502)

    with pytest.raises(FileGeneratorError) as gone:
        generate_files({"a": {"url": httpserver.url_for("/gone")}})
    with pytest.raises(FileFetchError) as busy:
        generate_files({"b": {"url": httpserver.url_for("/busy")}})

    assert str(gone.value) == f'file "a": GET {httpserver.url_for("/gone")}: HTTP 404 response'
    assert (str(busy.value), busy.value.permanent) == (
        f'file "b": GET {httpserver.url_for("/busy")}: HTTP 502 response',
        False,
    )


def test_a_download_over_20_mb_fails_even_inside_a_zip(httpserver, local):
    chunk = b"x" * (1024 * 1024)
    httpserver.expect_request("/huge").respond_with_response(
        Response((chunk for _ in range(21)), direct_passthrough=True)
    )

    with pytest.raises(FileGeneratorError) as error:
        generate_files({"z.zip": {"zip": {"files": {"huge.bin": {"url": httpserver.url_for("/huge")}}}}})

    assert str(error.value) == (
        f'file "z.zip" > "huge.bin": GET {httpserver.url_for("/huge")}: '
        "the file is larger than 20971520 bytes (20 MB)"
    )


def test_an_unreachable_url_is_transient(local):
    from tests.tasks_app.conftest import free_port

    port = free_port()
    with pytest.raises(FileFetchError) as error:
        generate_files({"a": {"url": f"http://127.0.0.1:{port}/x"}})

    assert str(error.value) == f'file "a": GET http://127.0.0.1:{port}/x: download failed: Connection refused'
    assert error.value.permanent is False


def test_an_internal_url_is_refused(httpserver):
    httpserver.expect_request("/x").respond_with_data("secret")

    with pytest.raises(FileGeneratorError) as error:
        generate_files({"a": {"url": f"http://localhost:{httpserver.port}/x"}})

    assert str(error.value) == (
        f'file "a": GET http://localhost:{httpserver.port}/x: '
        "refused to connect to 127.0.0.1 (loopback address); "
        "allow it with HUB_HTTP_ALLOW_PRIVATE"
    )
    assert httpserver.log == []


# --- zip ------------------------------------------------------------------------------------------------


def test_a_zip_holds_nested_generated_files():
    generated = generate_one(
        {
            "zip": {
                "files": {
                    "confirmations.txt": "hello",
                    "docs/receipt.pdf": {"pdf": {"html": "<h1>!!</h1>"}},
                    "inner.zip": {"zip": {"files": {"deep/x.bin": {"base64": "AAE="}}}},
                }
            }
        },
        "bundle.zip",
    )

    assert generated.mime_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(generated.content))
    assert archive.namelist() == ["confirmations.txt", "docs/receipt.pdf", "inner.zip"]
    assert archive.read("confirmations.txt") == b"hello"
    assert pdf_text(archive.read("docs/receipt.pdf")) == "!!"
    inner = zipfile.ZipFile(io.BytesIO(archive.read("inner.zip")))
    assert inner.read("deep/x.bin") == b"\x00\x01"


def test_a_password_encrypts_entries_with_zipcrypto():
    generated = generate_one(
        {
            "zip": {
                "password": "opensesame",
                "files": {"confirmations.txt": "this data is protected", "ü.txt": "ü"},
            }
        }
    )

    archive = zipfile.ZipFile(io.BytesIO(generated.content))
    infos = archive.infolist()
    assert [(info.filename, info.flag_bits & 0x1, info.compress_type) for info in infos] == [
        ("confirmations.txt", 1, zipfile.ZIP_DEFLATED),
        ("ü.txt", 1, zipfile.ZIP_DEFLATED),
    ]
    with pytest.raises(RuntimeError, match="password required"):
        archive.read("confirmations.txt")
    # ZipCrypto checks a password against one byte of a random header, so a wrong password is
    # caught there 255 times in 256 and otherwise when decompressing or checking the CRC.
    with pytest.raises((RuntimeError, zipfile.BadZipFile, zlib.error)):
        archive.read("confirmations.txt", pwd=b"wrong-password")
    assert archive.read("confirmations.txt", pwd=b"opensesame") == b"this data is protected"
    assert archive.read("ü.txt", pwd=b"opensesame") == "ü".encode()


def test_zipcrypto_follows_the_appnote_key_schedule():
    """Keys after a password, checked against a CRC-32 step built on ``zlib.crc32`` (APPNOTE 6.1.5)."""
    import zlib

    def crc_step(crc: int, byte: int) -> int:  # the raw table step, without zlib's pre/post inversion
        return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    keys = [0x12345678, 0x23456789, 0x34567890]
    for byte in b"opensesame":
        keys[0] = crc_step(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_step(keys[2], keys[1] >> 24)

    assert ZipCrypto(b"opensesame").keys == keys
    data = build_encrypted_zip([("a.txt", b"abc" * 100)], "pw", timestamp=0)
    assert zipfile.ZipFile(io.BytesIO(data)).read("a.txt", pwd=b"pw") == b"abc" * 100
