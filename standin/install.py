"""Installing Hub's app on the stand-in's shop through Hub's real OAuth flow, as a merchant's browser
would (the demo, tests): sign in to Hub's admin, start the Shopify connect for the shop, follow
the redirect to the stand-in's authorize page (which approves at once) and back to Hub's callback,
where Hub exchanges the code for the shop's token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class InstallError(Exception):
    """The install did not go through; the message says at which step."""


@dataclass(frozen=True)
class StaffLogin:
    """A staff account of Hub's admin."""

    username: str
    password: str


def _csrf(session: requests.Session, url: str, timeout: float) -> str:
    """GET ``url`` and return the form's CSRF token (or the cookie's)."""
    page = session.get(url, timeout=timeout)
    if page.status_code != 200:
        raise InstallError(f"GET {url} answered {page.status_code}")
    found = CSRF_FIELD.search(page.text)
    return found.group(1) if found else session.cookies.get("csrftoken", "")


def install(hub_url: str, shop_domain: str, staff: StaffLogin, *, timeout: float = 30.0) -> str:
    """Run the install of ``shop_domain`` against Hub at ``hub_url`` signed in as ``staff``;
    returns the URL the flow ended on. Raises ``InstallError`` naming the step that failed."""
    hub_url = hub_url.rstrip("/")
    session = requests.Session()
    login_url = f"{hub_url}/admin/login/"
    token = _csrf(session, login_url, timeout)
    signed_in = session.post(
        login_url,
        data={
            "username": staff.username,
            "password": staff.password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={"Referer": login_url},
        timeout=timeout,
    )
    if urlsplit(signed_in.url).path.rstrip("/") != "/admin":
        raise InstallError(f"signing in to {login_url} as {staff.username!r} failed")
    connect_url = f"{hub_url}/accounts/shopify/login/?process=connect&shop={shop_domain}"
    token = _csrf(session, connect_url, timeout)
    ended = session.post(
        connect_url, data={"csrfmiddlewaretoken": token}, headers={"Referer": connect_url}, timeout=timeout
    )
    if ended.status_code >= 400:
        raise InstallError(f"the Shopify connect flow ended with {ended.status_code} at {ended.url}")
    return ended.url
