"""``date`` (spec/liquid.md §4.7) with a fixed "now" (2024-03-10T15:30:45.123456Z)."""

import pytest

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
