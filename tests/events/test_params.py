"""The bracket-nesting, JSON and multipart parsers (spec/platform.md §1.3)."""

import base64

import pytest

from events.params import (
    ParamsError,
    media_type,
    parse_body,
    parse_json_params,
    parse_multipart,
    parse_nested_query,
)

BOUNDARY = "----HubBoundary7MA4YWxk"


def multipart(*parts: bytes) -> bytes:
    """A multipart/form-data body with the given raw parts (headers, blank line, content)."""
    body = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + BOUNDARY.encode() + b"--\r\n"


def field(name: str, value: bytes) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value


def file_field(name: str, filename: str, content: bytes, content_type: str = "image/png") -> bytes:
    header = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
    return (header + f"Content-Type: {content_type}\r\n\r\n").encode() + content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a=1&a=2", {"a": "2"}),
        ("t[]=x&t[]=y", {"t": ["x", "y"]}),
        ("c[name]=Ana&c[tier][level]=2", {"c": {"name": "Ana", "tier": {"level": "2"}}}),
        ("r[][k]=1&r[][v]=a&r[][k]=2", {"r": [{"k": "1", "v": "a"}, {"k": "2"}]}),
        ("flag", {"flag": None}),
        ("empty=", {"empty": ""}),
    ],
    ids=["last-value-wins", "array", "nested-hash", "array-of-hashes", "flag-is-null", "empty-value"],
)
def test_spec_table_rows_parse_to_the_documented_shape(query, expected):
    assert parse_nested_query(query) == expected


def test_a_value_followed_by_a_hash_of_the_same_name_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_nested_query("a=1&a[b]=2")


def test_a_value_followed_by_an_array_of_the_same_name_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_nested_query("t=1&t[]=2")


def test_a_plain_value_after_a_hash_replaces_it_as_rack_does():
    assert parse_nested_query("a[b]=2&a=1") == {"a": "1"}


def test_percent_escapes_and_plus_are_decoded_in_names_and_values():
    assert parse_nested_query("x=%E2%9C%93+ok&y%5Bz%5D=a+b") == {"x": "✓ ok", "y": {"z": "a b"}}


def test_a_malformed_percent_escape_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_nested_query("a=%zz")


def test_percent_escapes_that_are_not_utf8_are_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_nested_query(b"a=%FF")


def test_empty_pairs_and_nameless_values_are_ignored():
    assert parse_nested_query("=1&&b=2&") == {"b": "2"}


def test_nesting_deeper_than_the_limit_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_nested_query("a" + "[b]" * 40 + "=1")


def test_media_type_drops_parameters_and_lowercases():
    assert media_type("Application/JSON; charset=UTF-8") == "application/json"
    assert media_type(None) is None
    assert media_type("") is None


def test_a_json_object_is_the_parameter_hash():
    assert parse_body(b'{"email": "a@b.co", "qty": 2}', "application/json") == {"email": "a@b.co", "qty": 2}


def test_json_suffix_media_types_are_json():
    assert parse_body(b'{"a": 1}', "application/vnd.api+json") == {"a": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(b"[1, 2]", {"_json": [1, 2]}), (b'"text"', {"_json": "text"}), (b"null", {"_json": None})],
    ids=["array", "string", "null"],
)
def test_json_that_is_not_an_object_is_wrapped_under_json_key(raw, expected):
    assert parse_json_params(raw) == expected


def test_json_keeps_large_integers_exact_and_floats_as_floats():
    params = parse_json_params(b'{"id": 820982911946154508, "tax": 0.0}')
    assert params == {"id": 820982911946154508, "tax": 0.0}
    assert isinstance(params["tax"], float)


def test_json_nested_up_to_the_limit_parses():
    assert parse_json_params(b"[" * 100 + b"]" * 100)["_json"] is not None


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 101 + b"]" * 101,
        b'{"a": ',
        b"{'a': 1}",
        b'{"a": NaN}',
        b'{"a": "\\ud800"}',
        b'{"a": "\xff"}',
        b"[" * 100_000,
    ],
    ids=["too-deep-for-ruby", "truncated", "single-quotes", "nan", "lone-surrogate", "not-utf8", "too-deep"],
)
def test_invalid_json_is_a_parse_failure(raw):
    with pytest.raises(ParamsError):
        parse_json_params(raw)


def test_urlencoded_bodies_use_bracket_nesting():
    assert parse_body(b"c[name]=Ana&t[]=x", "application/x-www-form-urlencoded; charset=UTF-8") == {
        "c": {"name": "Ana"},
        "t": ["x"],
    }


def test_other_content_types_have_no_parameters():
    assert parse_body(b"a=1", "text/plain") is None
    assert parse_body(b"a=1", None) is None


def test_multipart_fields_are_bracket_nested_in_order():
    raw = multipart(field("r[][k]", b"1"), field("r[][v]", b"a"), field("r[][k]", b"2"), field("c[n]", b"x"))
    assert parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}") == {
        "r": [{"k": "1", "v": "a"}, {"k": "2"}],
        "c": {"n": "x"},
    }


def test_multipart_file_parts_become_file_hashes():
    content = bytes(range(256)) + b"\r\n--not-a-boundary\r\n"
    raw = multipart(field("key", b"value"), file_field("upload", "tiny.png", content))
    assert parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}") == {
        "key": "value",
        "upload": {
            "content_base64": base64.b64encode(content).decode(),
            "mime_type": "image/png",
            "name": "tiny.png",
            "size": len(content),
        },
    }


def test_multipart_file_names_lose_their_directories_and_keep_utf8():
    raw = multipart(file_field("f", "C:\\\\Users\\\\ana\\\\résumé.pdf", b"%PDF", "application/pdf"))
    params = parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}")
    assert params["f"]["name"] == "résumé.pdf"


def test_multipart_file_inputs_left_empty_are_skipped():
    raw = multipart(field("a", b"1"), file_field("f", "", b"", "application/octet-stream"))
    assert parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}") == {"a": "1"}


def test_nested_keys_below_a_file_are_a_parse_failure():
    raw = multipart(file_field("f", "a.png", b"x"), field("f[b]", b"1"))
    with pytest.raises(ParamsError):
        parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}")


def test_multipart_without_a_boundary_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_multipart(multipart(field("a", b"1")), "multipart/form-data")


def test_multipart_without_its_closing_boundary_is_a_parse_failure():
    raw = f"--{BOUNDARY}\r\n".encode() + field("a", b"1")
    with pytest.raises(ParamsError):
        parse_multipart(raw, f"multipart/form-data; boundary={BOUNDARY}")


def test_multipart_garbage_is_a_parse_failure():
    with pytest.raises(ParamsError):
        parse_multipart(b"\x00\xff garbage", f"multipart/form-data; boundary={BOUNDARY}")
