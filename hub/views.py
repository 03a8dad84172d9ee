"""The front door: ``/`` sends a signed-in user to the console and shows everyone else the two
ways in (spec/platform.md §9.1)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

ERRORS = {"shop": "Enter your shop's myshopify domain to sign in with Shopify."}


def home(request: HttpRequest) -> HttpResponse:
    """``/``: the console for a signed-in user, else the sign-in page (staff login, or Shopify
    sign-in asking for the shop's domain); ``?error=shop`` says the domain was missing."""
    if request.user.is_authenticated:
        return HttpResponseRedirect("/admin/")
    return TemplateResponse(request, "hub/sign_in.html", {"error": ERRORS.get(request.GET.get("error", ""))})
