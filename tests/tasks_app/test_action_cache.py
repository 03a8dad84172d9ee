"""The cache action: commands, TTL rules, counters and errors (spec/actions.md §6, spec/platform.md §4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks_app.models import CacheEntry
from tests.tasks_app.action_helpers import (  # noqa: F401  (fixtures)
    assert_failed,
    assert_succeeded,
    perform_fixture,
    task_run_fixture,
)

SIXTY_DAYS = 5_184_000


def entry(shop, key):
    return CacheEntry.objects.get(shop=shop, key=key)


def seconds_left(cache_entry) -> float:
    return (cache_entry.expires_at - timezone.now()).total_seconds()


def store(shop, key, value, *, ttl=SIXTY_DAYS):
    return CacheEntry.objects.create(
        shop=shop, key=key, value=value, expires_at=timezone.now() + timedelta(seconds=ttl)
    )


@pytest.mark.parametrize(
    "options",
    [
        ["set", "flags/order:1001", {"tagged": True}],
        {"set": {"key": "flags/order:1001", "value": {"tagged": True}}},
    ],
    ids=["positional", "verbose"],
)
def test_set_stores_any_json_for_sixty_days(perform, shop, options):
    run = perform("cache", options)

    assert_succeeded(
        run, {"command": "set", "key": "flags/order:1001", "value": {"tagged": True}, "ttl": SIXTY_DAYS}
    )
    stored = entry(shop, "flags/order:1001")
    assert stored.value == {"tagged": True}
    assert SIXTY_DAYS - 5 < seconds_left(stored) <= SIXTY_DAYS


def test_set_overwrites_and_resets_the_ttl(perform, shop):
    store(shop, "k", "old", ttl=30)

    run = perform("cache", {"set": {"key": "k", "value": None, "ttl": 600}})

    assert_succeeded(run, {"command": "set", "key": "k", "value": None, "ttl": 600})
    stored = entry(shop, "k")
    assert stored.value is None
    assert 595 < seconds_left(stored) <= 600


@pytest.mark.parametrize(
    "options",
    [["setex", "debounce.1", 60, True], {"setex": {"key": "debounce.1", "ttl": "60", "value": True}}],
    ids=["positional", "verbose-string-ttl"],
)
def test_setex_stores_with_its_ttl(perform, shop, options):
    run = perform("cache", options)

    assert_succeeded(run, {"command": "setex", "key": "debounce.1", "value": True, "ttl": 60})
    assert 55 < seconds_left(entry(shop, "debounce.1")) <= 60


def test_a_ttl_above_sixty_days_is_clamped(perform, shop):
    run = perform("cache", ["setex", "k", SIXTY_DAYS * 2, 1])

    assert_succeeded(run, {"command": "setex", "key": "k", "value": 1, "ttl": SIXTY_DAYS})
    assert seconds_left(entry(shop, "k")) <= SIXTY_DAYS


def test_del_removes_the_key(perform, shop):
    store(shop, "k", 5)

    run = perform("cache", ["del", "k"])

    assert_succeeded(run, {"command": "del", "key": "k", "value": None, "ttl": None})
    assert not CacheEntry.objects.filter(shop=shop, key="k").exists()


def test_del_of_a_missing_key_succeeds(perform):
    run = perform("cache", {"del": {"key": "never-set"}})

    assert_succeeded(run, {"command": "del", "key": "never-set", "value": None, "ttl": None})


@pytest.mark.parametrize(
    ("options", "command", "value"),
    [
        (["incr", "n"], "incr", 1),
        (["decr", "n"], "decr", -1),
        (["incrby", "n", 5], "incrby", 5),
        (["decrby", "n", "3"], "decrby", -3),
        ({"incrby": {"key": "n", "increment": -2}}, "incrby", -2),
    ],
)
def test_counters_on_a_missing_key_start_from_zero(perform, shop, options, command, value):
    run = perform("cache", options)

    assert_succeeded(run, {"command": command, "key": "n", "value": value, "ttl": SIXTY_DAYS})
    assert entry(shop, "n").value == value


def test_incr_adds_to_the_stored_value_and_resets_the_ttl(perform, shop):
    store(shop, "errors/abc", 2, ttl=30)

    run = perform("cache", {"incr": {"key": "errors/abc", "ttl": 600}})

    assert_succeeded(run, {"command": "incr", "key": "errors/abc", "value": 3, "ttl": 600})
    stored = entry(shop, "errors/abc")
    assert stored.value == 3
    assert 595 < seconds_left(stored) <= 600


def test_incr_without_ttl_extends_the_entry_to_sixty_days(perform, shop):
    store(shop, "n", 10, ttl=30)

    run = perform("cache", ["decrby", "n", 4])

    assert_succeeded(run, {"command": "decrby", "key": "n", "value": 6, "ttl": SIXTY_DAYS})
    assert seconds_left(entry(shop, "n")) > SIXTY_DAYS - 5


def test_an_expired_counter_counts_as_zero(perform, shop):
    CacheEntry.objects.create(shop=shop, key="n", value=41, expires_at=timezone.now() - timedelta(seconds=1))

    run = perform("cache", ["incr", "n"])

    assert_succeeded(run, {"command": "incr", "key": "n", "value": 1, "ttl": SIXTY_DAYS})


def test_incr_on_a_non_integer_fails_and_leaves_the_value(perform, shop):
    store(shop, "k", "seven", ttl=30)
    before = entry(shop, "k").expires_at

    run = perform("cache", ["incr", "k"])

    assert_failed(run, """cache key 'k' holds "seven", not an integer; incr left it untouched""")
    assert (entry(shop, "k").value, entry(shop, "k").expires_at) == ("seven", before)


def test_keys_of_other_shops_are_not_touched(perform, shop):
    from integrations.models import Shop

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    store(other, "n", 100)

    perform("cache", ["incr", "n"])

    assert entry(other, "n").value == 100
    assert entry(shop, "n").value == 1


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["get", "k"], "unknown cache command 'get' (known: set, setex, del, incr, incrby, decr, decrby)"),
        ({"flush": {}}, "unknown cache command 'flush' (known: set, setex, del, incr, incrby, decr, decrby)"),
        (["set", "k"], "cache command 'set' takes 2 argument(s) (key, value), got 1"),
        (["del", "k", "extra"], "cache command 'del' takes 1 argument(s) (key), got 2"),
        ([], "options must start with a cache command (set, setex, del, incr, incrby, decr, decrby)"),
        (
            {"set": {"key": "k", "value": 1}, "del": {"key": "k"}},
            "options must be an object with exactly one key, the cache command "
            "(set, setex, del, incr, incrby, decr, decrby); got 2 keys",
        ),
        ({"set": ["k", 1]}, "the arguments of cache command 'set' must be an object, got array"),
        ({"set": {"key": "k"}}, """option "value": is required by cache command 'set'"""),
        ({"incr": {"key": "k", "by": 2}}, "cache command 'incr' does not take 'by' (arguments: key, ttl)"),
        ("set k 1", "options must be an object {command: arguments} or an array [command, ...], got string"),
        (
            ["set", "bad key!", 1],
            """option "key": 'bad key!' may contain only letters, digits and _ : - . /""",
        ),
        (["set", "", 1], """option "key": '' may contain only letters, digits and _ : - . /"""),
        (["set", "k" * 256, 1], 'option "key": must be at most 255 characters, got 256'),
        (["set", None, 1], 'option "key": must be a string, got null'),
        (["setex", "k", 0, 1], 'option "ttl": must be a positive number of seconds, got 0'),
        (["setex", "k", -5, 1], 'option "ttl": must be a positive number of seconds, got -5'),
        (["setex", "k", 1.5, 1], 'option "ttl": must be an integer, got 1.5'),
        (["setex", "k", "soon", 1], 'option "ttl": must be an integer, got "soon"'),
        (["setex", "k", None, 1], """option "ttl": is required by cache command 'setex'"""),
        (["incrby", "k", "two"], 'option "increment": must be an integer, got "two"'),
        (["decrby", "k", 1.25], 'option "decrement": must be an integer, got 1.25'),
    ],
)
def test_invalid_commands_fail_permanently_and_write_nothing(perform, shop, options, error):
    run = perform("cache", options)

    assert_failed(run, error)
    assert not CacheEntry.objects.filter(shop=shop).exists()


def test_a_value_over_256_kb_fails(perform, shop):
    run = perform("cache", ["set", "big", "x" * 262_143])  # 262,145 bytes with the quotes

    assert_failed(run, 'option "value": is 262145 bytes as JSON; the maximum is 262144')
    assert not CacheEntry.objects.filter(shop=shop).exists()


def test_a_value_of_exactly_256_kb_is_stored(perform, shop):
    run = perform("cache", ["set", "big", "x" * 262_142])

    assert run.ok is True
    assert len(entry(shop, "big").value) == 262_142


def test_an_integer_key_is_taken_as_its_text(perform, shop):
    run = perform("cache", ["set", 123456, "v"])

    assert_succeeded(run, {"command": "set", "key": "123456", "value": "v", "ttl": SIXTY_DAYS})


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_not_lost(shop):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from tests.tasks_app.action_helpers import make_task_run, run_action

    shop.run_concurrency = 8  # all eight at once: this is about the cache, not the run slots
    shop.save(update_fields=["run_concurrency"])
    task_runs = [make_task_run(shop) for _ in range(8)]

    def increment(task_run):
        try:
            return run_action(task_run, "cache", ["incrby", "hits", 2]).ok
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(increment, task_runs))

    assert outcomes == [True] * 8
    assert entry(shop, "hits").value == 16
