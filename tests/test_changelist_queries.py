"""Every shop-owned list of the console does the same number of queries for one shop's rows as for
several shops' (issue 10: no list does a query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integrations.test_merchant_scope import ADMIN_URL, shop_with_data

pytestmark = pytest.mark.django_db

EXTRA_LISTS = [
    "integrations/connection",
    "events/privacyrequest",
    "events/shopifydelivery",
    "tasks_app/cacheentry",
]


def queries(admin_client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", [*ADMIN_URL.values(), *EXTRA_LISTS])
def test_a_list_does_not_query_per_row(admin_client, path):
    shop_with_data("one.myshopify.com")
    url = f"/admin/{path}/"
    one = queries(admin_client, url)
    for number in range(3):
        shop_with_data(f"more-{number}.myshopify.com")

    assert queries(admin_client, url) == one
