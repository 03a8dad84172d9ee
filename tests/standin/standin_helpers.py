"""A running Shopify stand-in for tests, with a clock the client's sleep moves.

Not a conftest: test modules import the ``*_fixture`` functions they use, so
the fixtures stay next to the code that needs them.
"""

import pytest

from standin.server import StandinServer
from standin.store import Store
from tests.clock import FakeClock


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    """One fake clock for the stand-in's buckets and the Shopify client under test."""
    return FakeClock()


@pytest.fixture(name="standin")
def standin_fixture(settings, clock):
    """The default seed served on a free port; ``HUB_SHOPIFY_ADMIN_URL`` points at it."""
    server = StandinServer(Store.from_file(clock=clock)).start()
    settings.HUB_SHOPIFY_ADMIN_URL = server.url
    yield server
    server.stop()


def graphql_requests(server: StandinServer) -> list[dict]:
    """The bodies of the GraphQL requests the stand-in received, in order."""
    return [entry["body"] for entry in server.store.requests if entry["path"].endswith("/graphql.json")]
