"""``date`` (spec/liquid.md §4.7) with a fixed "now" (2024-03-10T15:30:45.123456Z)."""

import pytest

from tasks_app.liquid import LiquidError
from tasks_app.liquid.filters import date

from .helpers import text


@pytest.mark.parametrize(
    ("source", "timezone", "expected"),
    [
        ('{{ "2000-01-01" | date }}', "America/Chicago", "2000-01-01T00:00:00-06:00"),
        ('{{ "2000-01-01" | date: tz: "UTC" }}', "America/Chicago", "2000-01-01T06:00:00Z"),
        ('{{ "2000-01-01" | date: "%Y-%m-%d %H:%M %z" }}', "America/Chicago", "2000-01-01 00:00 -0600"),
        ('{{ "now" | date: "%s" }}', "UTC", "1710084645"),
        ('{{ "now - 1 day" | date: "%F %T %Z" }}', "UTC", "2024-03-09 15:30:45 UTC"),
        ('{{ "NOW + 15 minutes" | date: "%H:%M" }}', "UTC", "15:45"),
        ('{{ 946684800 | date: "%F %H:%M %:z" }}', "America/Chicago", "1999-12-31 18:00 -06:00"),
        ('{{ "946684800" | date: "%F" }}', "UTC", "2000-01-01"),
        ('{{ "asdf" | date: "%s" }}', "UTC", "asdf"),
        ('{{ "" | date: "%s" }}|{{ nil | date: "%s" }}', "UTC", "|"),
        (
            '{{ "2024-03-05T07:08:09.123456Z"'
            ' | date: "%e|%-d|%^a|%L|%N|%3N|%j|%I%p|%-m/%-d/%y|%::z|%A %B" }}',
            "UTC",
            " 5|5|TUE|123|123456000|123|065|07AM|3/5/24|+00:00:00|Tuesday March",
        ),
        (
            '{{ "2024-03-05T07:08:09Z" | date: "%FT%T%:z %Z" }}',
            "Europe/Paris",
            "2024-03-05T08:08:09+01:00 CET",
        ),
        ('{{ "2023-01-31" | date: "%F", advance: "1 year 1 month" }}', "UTC", "2024-02-29"),
        (
            '{{ "2024-03-13 10:00" | date: "%F %T", beginning_of_week: "sunday" }}',
            "UTC",
            "2024-03-10 00:00:00",
        ),
        ('{{ "2024-03-13" | date: "%F %T.%L", end_of_month: true }}', "UTC", "2024-03-31 23:59:59.999"),
        ('{{ "2024-05-13" | date: "%F", beginning_of_quarter: true }}', "UTC", "2024-04-01"),
        ('{{ "00:25" | date: "%H:%M %Z", tz: "America/Vancouver" }}', "America/New_York", "21:25 PST"),
        ('{{ "2024-03-13" | date: opts }}', "UTC", "2024-03-13T00:00:00Z"),
    ],
)
def test_date(source, timezone, expected):
    assert text(source, {"opts": {"tz": "UTC"}}, timezone=timezone) == expected


def test_unparseable_dates_are_not_numbers():
    assert text('{{ "asdf" | date: "%s" | times: 1 }}') == "0"


@pytest.mark.parametrize(
    ("source", "timezone", "expected"),
    [
        # calendar options, applied year → quarter → month → week → day, then advance
        ('{{ "2024-05-15 10:20" | date: "%F %T", beginning_of_year: true }}', "UTC", "2024-01-01 00:00:00"),
        ('{{ "2024-05-15" | date: "%F %T.%6N", end_of_year: true }}', "UTC", "2024-12-31 23:59:59.999999"),
        ('{{ "2024-05-15" | date: "%F %T", end_of_quarter: true }}', "UTC", "2024-06-30 23:59:59"),
        ('{{ "2024-02-10" | date: "%F", end_of_month: true }}', "UTC", "2024-02-29"),
        ('{{ "2024-03-13" | date: "%F %a", beginning_of_week: "monday" }}', "UTC", "2024-03-11 Mon"),
        ('{{ "2024-03-13" | date: "%F %a %T", end_of_week: "sunday" }}', "UTC", "2024-03-16 Sat 23:59:59"),
        ('{{ "2024-03-13 08:00" | date: "%F %T", middle_of_day: true }}', "UTC", "2024-03-13 12:00:00"),
        ('{{ "2024-03-13 08:00" | date: "%F %T", end_of_day: true }}', "UTC", "2024-03-13 23:59:59"),
        (
            '{{ "2024-05-15" | date: "%F", beginning_of_month: true, advance: "-1 day" }}',
            "UTC",
            "2024-04-30",
        ),
        ('{{ "now" | date: "%F %T", beginning_of_day: true }}', "America/Chicago", "2024-03-10 00:00:00"),
        # advance terms: signs, commas, plural/singular, fixed hours across DST
        ('{{ "2024-01-31" | date: "%F", advance: "1 month" }}', "UTC", "2024-02-29"),
        (
            '{{ "2024-01-31 10:00" | date: "%F %H:%M", advance: "-1 year, +2 days, 3 hours" }}',
            "UTC",
            "2023-02-02 13:00",
        ),
        (
            '{{ "2024-03-10 01:30" | date: "%F %H:%M %Z", advance: "1 hour" }}',
            "America/Chicago",
            "2024-03-10 03:30 CDT",
        ),
        (
            '{{ "2024-03-09 02:30" | date: "%F %H:%M %Z", advance: "1 day" }}',
            "America/Chicago",
            "2024-03-10 03:30 CDT",
        ),
        (
            '{{ "2024-01-01" | date: "%F %T", advance: "1 week 90 seconds 2 minutes" }}',
            "UTC",
            "2024-01-08 00:03:30",
        ),
        # parse_date
        ('{{ "01-01-20" | parse_date: "%m-%d-%y" }}', "Australia/Sydney", "2020-01-01T00:00:00+11:00"),
        ('{{ "01-01-20" | parse_date: "%m-%d-%y" | date: "%Y-%m-%d" }}', "UTC", "2020-01-01"),
        ('{{ "ab-cd-ef" | parse_date: "%m-%d-%y" | json }}', "UTC", "null"),
        ('{{ "2024-05-06" | parse_date: "%Y-%m-%d" }}', "America/Chicago", "2024-05-06T00:00:00-05:00"),
        ('{{ "2024-05-06T07:08:09" | parse_date: "%Y-%m-%dT%H:%M:%S" }}', "UTC", "2024-05-06T07:08:09Z"),
        (
            '{{ "2024-05-06T07:08:09+02:00" | parse_date: "%Y-%m-%dT%H:%M:%S%z" }}',
            "UTC",
            "2024-05-06T05:08:09Z",
        ),
        ('{{ "2024-05-06 and more" | parse_date: "%Y-%m-%d" }}', "UTC", "2024-05-06T00:00:00Z"),
        ('{{ "12:30" | parse_date: "%H:%M" }}', "Australia/Sydney", "2024-03-11T12:30:00+11:00"),
        (
            '{{ "March 2023" | parse_date: "%B %Y" }}|{{ "7" | parse_date: "%d" }}',
            "UTC",
            "2023-03-01T00:00:00Z|2024-03-07T00:00:00Z",
        ),
        (
            '{{ "5 PM" | parse_date: "%I %p" }}|{{ "946684800" | parse_date: "%s" }}',
            "UTC",
            "2024-03-10T17:00:00Z|2000-01-01T00:00:00Z",
        ),
        (
            '{{ "2023-02-30" | parse_date: "%F" }}|{{ "2023-13-01" | parse_date: "%F" | json }}',
            "UTC",
            "2023-03-02T00:00:00Z|null",
        ),
        ('{{ nil | parse_date: "%F" | json }}|{{ "2024" | parse_date | json }}', "UTC", "null|null"),
    ],
)
def test_date_options_and_parse_date(source, timezone, expected):
    assert text(source, timezone=timezone) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('{{ "2024-01-01" | date: "%F", advance: "1 fortnight" }}', "date: invalid duration '1 fortnight'"),
        ('{{ "2024-01-01" | date: "%F", tz: "Mars/Base" }}', "date: unknown time zone 'Mars/Base'"),
        (
            '{{ "2024-01-01" | date: "%F", beginning_of_day: true, end_of_day: true }}',
            "date: options beginning_of_day, end_of_day cannot be combined",
        ),
        ('{{ "2024-01-01" | date: "%F", beginning_of_week: "someday" }}', "date: unknown weekday 'someday'"),
    ],
)
def test_date_errors(source, message):
    from tasks_app.liquid import LiquidError

    with pytest.raises(LiquidError) as info:
        text(source)
    assert info.value.message.split("): ", 1)[1] == message


@pytest.mark.parametrize(
    "value",
    [
        "2024-12-31T00:00:00Z",
        "2024-12-31",
        "2024-12-31T10:20",
        "2024-12-31 10:20:30",
        "2024-12-31T10:20:30.5",
        "2024-12-31T10:20:30.123456Z",
        "2024-12-31T10:20:30+02:00",
        "2024-12-31T10:20:30-0530",
        "2024-12-31T10:20:30-00:00",
        "2024-03-10T02:30:00",  # a wall time in New York's DST gap
        "2024-11-03T01:30:00",  # an ambiguous wall time in New York
        "2024-02-30",
        "2024-12-31T24:00:00",
        "2024-12-31T10:20:30+25:00",
        "0999-01-01",
        "２０２４-01-01",
    ],
)
def test_iso_dates_read_without_dateutil_read_as_dateutil_reads_them(value, monkeypatch):
    def outcome() -> str:
        try:
            return text('{{ d | date: "%F %T.%N %z" }}', {"d": value}, timezone="America/New_York")
        except LiquidError as exc:
            return exc.message

    fast = outcome()
    monkeypatch.setattr(date, "_parse_iso", lambda text: None)
    assert fast == outcome()
