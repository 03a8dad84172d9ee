"""The report_toaster action against a local partner endpoint stand-in (spec/actions.md §14)."""

import json

import pytest

from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)
from tests.tasks_app.integration_helpers import outcome_of, services_fixture  # noqa: F401  (fixtures)

REPORT = {
    "id": "v_t3a23v4e23",
    "file": {"format": "csv", "include_headers": "false"},
    "meta": {"task_id": "t-1"},
}


def test_a_report_request_is_posted_with_the_partner_key_and_shop(perform, services):
    services.expect_request("/report-toaster/report", method="POST").respond_with_json(
        {"queued": 1}, status=202
    )

    run = perform("report_toaster", {"operation": "report", "batch": [REPORT, {"id": "v_123"}]})

    ((request, _),) = services.log
    assert (request.headers["Authorization"], request.headers["X-Shopify-Shop-Domain"]) == (
        "Bearer rt-partner-key",
        "example.myshopify.com",
    )
    assert json.loads(request.get_data()) == {
        "reports": [
            {
                "id": "v_t3a23v4e23",
                "file": {"format": "csv", "include_headers": False},
                "meta": {"task_id": "t-1"},
            },
            {"id": "v_123"},
        ]
    }
    assert_succeeded(run, {"status": 202, "body": {"queued": 1}})


def test_an_update_forwards_the_order_patches(perform, services):
    patches = [{"name": "#1234", "shipping_cost": "1.23"}, {"id": 4192644956357, "transaction_fees": None}]
    services.expect_request("/report-toaster/update").respond_with_json({"updated": 2})

    run = perform("report_toaster", {"operation": "update", "Order": patches})

    assert json.loads(services.log[0][0].get_data()) == {"Order": patches}
    assert_succeeded(run, {"status": 200, "body": {"updated": 2}})


def test_a_shop_without_report_toaster_fails_permanently(task_run, services):
    services.expect_request("/report-toaster/update").respond_with_json(
        {"error": "shop not found"}, status=404
    )

    outcome = outcome_of(task_run, "report_toaster", {"operation": "update", "Order": [{"id": 1}]})

    assert (outcome.error, outcome.permanent) == (
        "Report Toaster is not installed for example.myshopify.com; "
        "install it from the Shopify App Store, then retry",
        True,
    )


def test_a_server_error_is_transient(task_run, services):
    services.expect_request("/report-toaster/report").respond_with_json({"error": "maintenance"}, status=503)

    outcome = outcome_of(task_run, "report_toaster", {"operation": "report", "reports": [{"id": "v_1"}]})

    assert (outcome.error, outcome.permanent) == ("Report Toaster API error (HTTP 503): maintenance", False)


def test_an_unconfigured_hub_fails_permanently(task_run, settings):
    settings.HUB_REPORT_TOASTER_API_URL = ""

    outcome = outcome_of(task_run, "report_toaster", {"operation": "report", "reports": [{"id": "v_1"}]})

    assert (outcome.error, outcome.permanent) == (
        "Report Toaster is not configured on this Hub "
        "(set HUB_REPORT_TOASTER_API_URL and HUB_REPORT_TOASTER_API_KEY)",
        True,
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"operation": "export"}, "option \"operation\": 'export' is not one of report, update"),
        (
            {"operation": "report", "reports": [{"id": "a"}], "batch": [{"id": "b"}]},
            'option "reports": and batch name the same list; give only one',
        ),
        ({"operation": "report"}, 'option "reports": must be a non-empty array of reports, got null'),
        (
            {"operation": "report", "reports": [{"file": {"format": "csv"}}]},
            'option "reports": item 0 needs an id (a Report Toaster report id string)',
        ),
        (
            {"operation": "update", "Order": []},
            'option "Order": must be a non-empty array of order patches, got array',
        ),
    ],
)
def test_invalid_options_fail_before_any_call(perform, services, options, error):
    run = perform("report_toaster", options)

    assert_failed(run, error)
    assert services.log == []
