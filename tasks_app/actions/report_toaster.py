"""The ``report_toaster`` action: request reports or update orders in Report Toaster (spec/actions.md §14).

Reports arrive later as ``report_toaster/reports/create|fail`` events (partner
ingress); the action's result is Report Toaster's acknowledgement.
"""

from typing import Any

from integrations.clients import ApiError
from integrations.clients.report_toaster import ReportToasterClient
from tasks_app.actions.base import (
    Action,
    ActionContext,
    OptionError,
    compact_json,
    describe,
    register,
    require_object,
    string_option,
    to_bool,
)
from tasks_app.actions.integrations import WrapperResult, action_error, wrapper_result

OPERATIONS = ("report", "update")
FILE_FORMATS = ("json", "csv", "pdf")


def clean_report(report: Any, index: int) -> dict:
    """One report request: ``id`` (string), optional ``file`` (``format``, ``include_headers``), ``meta``."""
    where = f"item {index}"
    if not isinstance(report, dict):
        raise OptionError("reports", f"{where} must be an object, got {describe(report)}")
    if not isinstance(report.get("id"), str) or not report["id"].strip():
        raise OptionError("reports", f"{where} needs an id (a Report Toaster report id string)")
    cleaned = dict(report)
    file = report.get("file")
    if file is not None:
        if not isinstance(file, dict) or file.get("format") not in FILE_FORMATS:
            raise OptionError(
                "reports", f"{where}: file.format must be json, csv or pdf: {compact_json(file)}"
            )
        cleaned["file"] = dict(file)
        if file.get("include_headers") is not None:
            cleaned["file"]["include_headers"] = to_bool(file["include_headers"], "reports")
    return cleaned


@register
class ReportToasterAction(Action):
    """``report``: ``reports`` (or ``batch``, not both) of requests; ``update``: ``Order`` merge patches.

    Result ``{"status", "body"}`` of Report Toaster's answer. Validation
    errors, missing configuration and "not installed" (404) are permanent;
    network failures, 429 and 5xx transient.
    """

    type = "report_toaster"

    def validate(self, options: Any) -> dict:
        options = require_object(options)
        operation = string_option(options, "operation", require=True, blank=False).strip()
        if operation not in OPERATIONS:
            raise OptionError("operation", f"{operation!r} is not one of {', '.join(OPERATIONS)}")
        if operation == "report":
            if options.get("reports") is not None and options.get("batch") is not None:
                raise OptionError("reports", "and batch name the same list; give only one")
            name = "batch" if options.get("batch") is not None else "reports"
            reports = options.get(name)
            if not isinstance(reports, list) or not reports:
                raise OptionError(name, f"must be a non-empty array of reports, got {describe(reports)}")
            cleaned = [clean_report(report, index) for index, report in enumerate(reports)]
            return {"operation": operation, "payload": {"reports": cleaned}}
        orders = options.get("Order")
        if not isinstance(orders, list) or not orders or not all(isinstance(item, dict) for item in orders):
            raise OptionError("Order", f"must be a non-empty array of order patches, got {describe(orders)}")
        return {"operation": operation, "payload": {"Order": orders}}

    def perform(self, context: ActionContext) -> WrapperResult:
        try:
            response = ReportToasterClient(context.shop).send(
                context.options["operation"], context.options["payload"]
            )
        except ApiError as exc:
            raise action_error(exc) from exc
        return wrapper_result(response)
