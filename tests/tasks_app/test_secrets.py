"""Shop secrets: encryption and rotation, references, resolution, redaction, task runs
(spec/platform.md §5.3, spec/actions.md §0.4)."""

import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from events.models import Event
from runs.engine import perform_run
from runs.models import EventRun, TaskRun
from tasks_app import secrets
from tasks_app.models import Secret, Task
from tasks_app.secrets import (
    REDACTED,
    SecretDecryptionError,
    SecretNotFound,
    redact,
    resolve_references,
    secret_reference,
    secret_resolver,
)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
NONCE = "n0nce"
R = REDACTED


def make_secret(shop, key, raw) -> Secret:
    secret = Secret(shop=shop, key=key)
    secret.set_value(raw)
    secret.save()
    return secret


def stored_tokens() -> dict:
    return dict(Secret.objects.order_by("key").values_list("key", "encrypted_value"))


# --- encryption at rest -------------------------------------------------------------------------


def test_values_round_trip_and_are_not_stored_in_clear(shop, settings):
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    secret = make_secret(shop, "api_token", "tök-123")

    row = Secret.objects.get(pk=secret.pk)
    assert row.reveal() == "tök-123"
    assert "tök-123" not in row.encrypted_value
    assert Fernet(NEW_KEY).decrypt(row.encrypted_value.encode()) == "tök-123".encode()


def test_without_configured_keys_a_key_derived_from_secret_key_is_used(settings):
    settings.HUB_SECRET_KEYS = []
    settings.SECRET_KEY = "some-django-secret"
    token = secrets.encrypt("value")

    assert secrets.decrypt(token, "k") == "value"
    assert Fernet(secrets.derived_key()).decrypt(token.encode()) == b"value"
    settings.SECRET_KEY = "another-django-secret"
    with pytest.raises(SecretDecryptionError):
        secrets.decrypt(token, "k")


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.HUB_SECRET_KEYS = [NEW_KEY, "not-a-fernet-key"]

    with pytest.raises(ImproperlyConfigured) as info:
        secrets.encrypt("value")
    assert str(info.value) == (
        "HUB_SECRET_KEYS: entry 2 is not a Fernet key (32 url-safe base64-encoded bytes)"
    )


def test_rotation_moves_every_secret_to_the_newest_key(shop, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    make_secret(shop, "api_token", "first")
    make_secret(shop, "signing_key", "second")
    before = stored_tokens()
    updated = dict(Secret.objects.values_list("key", "updated_at"))

    settings.HUB_SECRET_KEYS = [NEW_KEY, OLD_KEY]
    assert Secret.objects.get(key="api_token").reveal() == "first"
    out = StringIO()
    call_command("rotate_secrets", stdout=out)

    assert out.getvalue() == (
        "Re-encrypted 2 secret(s), 0 OAuth token row(s), 0 shop access token(s) and 0 webhook signing "
        "secret set(s) with the newest key.\n"
    )
    after = stored_tokens()
    assert [Fernet(NEW_KEY).decrypt(after[k].encode()) for k in after] == [b"first", b"second"]
    assert after != before
    assert dict(Secret.objects.values_list("key", "updated_at")) == updated
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    assert [s.reveal() for s in Secret.objects.order_by("key")] == ["first", "second"]


def test_a_value_under_a_removed_key_fails_with_the_secret_named(shop, settings):
    settings.HUB_SECRET_KEYS = [OLD_KEY]
    make_secret(shop, "api_token", "first")
    settings.HUB_SECRET_KEYS = [NEW_KEY]
    message = (
        "secret api_token cannot be decrypted: it was encrypted with a key that is no longer in "
        "HUB_SECRET_KEYS"
    )

    with pytest.raises(SecretDecryptionError) as info:
        Secret.objects.get(key="api_token").reveal()
    assert str(info.value) == message
    before = stored_tokens()
    with pytest.raises(CommandError) as command_info:
        call_command("rotate_secrets", stdout=StringIO())
    assert str(command_info.value) == (
        "secret api_token of shop example.myshopify.com cannot be decrypted: it was encrypted with a "
        "key that is no longer in HUB_SECRET_KEYS; nothing was re-encrypted"
    )
    assert stored_tokens() == before


# --- references and resolution ------------------------------------------------------------------


def test_a_reference_names_key_and_nonce():
    assert secret_reference("api_token", "abc123") == "⟦secret:api_token:abc123⟧"


def test_fresh_nonces_differ_and_fit_the_reference_pattern():
    first, second = secrets.new_nonce(), secrets.new_nonce()
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert secrets.REFERENCE_RE.fullmatch(secret_reference("k", first))


TOKEN = secret_reference("token", NONCE)
USER = secret_reference("user", NONCE)
FOREIGN = secret_reference("token", "other")


@pytest.mark.parametrize(
    ("value", "resolved", "raw_values"),
    [
        (TOKEN, "s3cr3t", ["s3cr3t"]),
        ("Bearer " + TOKEN, "Bearer s3cr3t", ["s3cr3t"]),
        (f"{USER}:{TOKEN}@{TOKEN}", "ann:s3cr3t@s3cr3t", ["ann", "s3cr3t"]),
        (
            {"url": f"https://x.test/?k={TOKEN}", "headers": {"X-User": USER}, "body": [1, None, TOKEN]},
            {"url": "https://x.test/?k=s3cr3t", "headers": {"X-User": "ann"}, "body": [1, None, "s3cr3t"]},
            ["s3cr3t", "ann"],
        ),
        ({TOKEN: True}, {"s3cr3t": True}, ["s3cr3t"]),
        (FOREIGN, FOREIGN, []),
        ({"a": FOREIGN + TOKEN}, {"a": FOREIGN + "s3cr3t"}, ["s3cr3t"]),
        ("⟦secret:token⟧ and plain text", "⟦secret:token⟧ and plain text", []),
        ({"n": 1, "f": 1.5, "b": False, "z": None}, {"n": 1, "f": 1.5, "b": False, "z": None}, []),
    ],
)
def test_resolve_references_replaces_this_runs_references_only(shop, value, resolved, raw_values):
    make_secret(shop, "token", "s3cr3t")
    make_secret(shop, "user", "ann")

    assert resolve_references(value, shop=shop, nonce=NONCE) == (resolved, raw_values)


def test_resolve_references_leaves_the_input_unchanged(shop):
    make_secret(shop, "token", "s3cr3t")
    value = {"headers": {"Authorization": "Bearer " + TOKEN}}

    resolve_references(value, shop=shop, nonce=NONCE)

    assert value == {"headers": {"Authorization": "Bearer " + TOKEN}}


def test_a_reference_to_a_missing_secret_raises_secret_not_found(shop):
    make_secret(shop, "token", "s3cr3t")

    with pytest.raises(SecretNotFound) as info:
        resolve_references({"a": TOKEN, "b": secret_reference("gone", NONCE)}, shop=shop, nonce=NONCE)
    assert (str(info.value), info.value.key) == ("secret not found: gone", "gone")


def test_references_resolve_only_against_their_own_shop(shop):
    from integrations.models import Shop

    other = Shop.objects.create(myshopify_domain="other.myshopify.com")
    make_secret(other, "token", "theirs")

    with pytest.raises(SecretNotFound):
        resolve_references(TOKEN, shop=shop, nonce=NONCE)


def test_the_signing_resolver_substitutes_this_runs_references(shop):
    make_secret(shop, "token", "s3cr3t")
    resolve = secret_resolver(shop, NONCE)

    assert resolve(TOKEN) == "s3cr3t"
    assert resolve("k-" + TOKEN) == "k-s3cr3t"
    assert resolve(FOREIGN) == FOREIGN
    assert resolve("plain") == "plain"
    with pytest.raises(SecretNotFound):
        resolve(secret_reference("gone", NONCE))


# --- redaction ----------------------------------------------------------------------------------

RAW = "p@ss word/1?"


@pytest.mark.parametrize(
    ("value", "redacted"),
    [
        ("p@ss word/1?", R),
        ("xp@ss word/1?y", f"x{R}y"),
        ("p%40ss%20word%2F1%3F", R),
        ("p%40ss%20word%2f1%3f", R),
        ("p%40ss+word%2F1%3F", R),
        ("p%40ss%20word/1%3F", R),
        ("q=p%40ss%20word%2F1%3F&r=1", f"q={R}&r=1"),
        ("cEBzcyB3b3JkLzE/", R),
        ("cEBzcyB3b3JkLzE_", R),
        ("Basic dXNlcjpwQHNzIHdvcmQvMT8=", f"Basic dXNlcj{R}="),
        ("dXM6cEBzcyB3b3JkLzE/IQ==", f"dXM6{R}IQ=="),
        ("dTpwQHNzIHdvcmQvMT8hIQ==", f"dT{R}hIQ=="),
        ('{"pw":"p@ss word/1?"}', f'{{"pw":"{R}"}}'),
        ("dXNlcjpvdGhlcg==", "dXNlcjpvdGhlcg=="),
        ("nothing here", "nothing here"),
        ("P@SS WORD/1?", R),
        ("echo: ?1/drow ss@p", f"echo: {R}"),
        ("hex 7040737320776f72642f313f", f"hex {R}"),
        ("HEX 7040737320776F72642F313F.", f"HEX {R}."),
        ("%70%40%73%73%20%77%6F%72%64%2F%31%3F", R),
        ("&#112;&#64;&#115;&#115;&#32;&#119;&#111;&#114;&#100;&#47;&#49;&#63;", R),
        ("&#x70;&#x40;&#x73;&#x73;&#x20;&#x77;&#x6f;&#x72;&#x64;&#x2f;&#x31;&#x3f;", R),
        (
            {"a": ["p@ss word/1?", {"b": "k=p%40ss%20word%2F1%3F"}], "p@ss word/1?": 7, "n": 3},
            {"a": [R, {"b": f"k={R}"}], R: 7, "n": 3},
        ),
        ([None, True, 1.5], [None, True, 1.5]),
    ],
)
def test_redact_removes_literal_percent_and_base64_forms(value, redacted):
    assert redact(value, [RAW]) == redacted


def test_redact_handles_several_values_longest_first_and_ignores_empty_ones():
    assert redact("tok tokens ann", ["tok", "tokens", "", "ann"]) == f"{R} {R} {R}"
    assert redact({"x": "value"}, []) == {"x": "value"}


@pytest.mark.parametrize(
    "echoed",
    [
        "<p>a&lt;b&amp;c&quot;d&#x27;e</p>",
        "<p>a&lt;b&amp;c&quot;d&#39;e</p>",
        "<p>a&lt;b&amp;c&quot;d&apos;e</p>",
        "<p>a&lt;b&amp;c\"d'e</p>",
        "<p>A&LT;B&AMP;C&QUOT;D&#X27;E</p>",
    ],
)
def test_redact_finds_a_value_the_remote_echoed_html_escaped(echoed):
    assert redact(echoed, ["a<b&c\"d'e"]) == f"<p>{R}</p>"


def test_redact_finds_a_value_json_escaped_inside_a_serialized_body():
    assert redact('{"pw":"a\\"b"}', ['a"b']) == f'{{"pw":"{R}"}}'


# --- task runs ----------------------------------------------------------------------------------

SCRIPT = """{% assign auth = "Bearer " | append: secrets.token %}
{% log x: globals.x, token: secrets.token, auth: auth, missing: secrets.missing %}
{% if secrets.missing %}{% log "never" %}{% endif %}
{% action "http" %}{"method": "get", "url": "https://api.test/{{ globals.x.path }}",
 "headers": {"Authorization": {{ auth | json }}}}{% endaction %}
{% action "echo", option: options.key__secret, plain: secrets.token %}"""


def run_task(shop, script, options=None) -> TaskRun:
    Task.objects.create(
        shop=shop,
        name="Secrets",
        subscriptions=["mechanic/user/trigger"],
        script=script,
        options=options or {},
        enabled=True,
    )
    return trigger(shop)


def trigger(shop) -> TaskRun:
    event = Event.objects.ingest(shop, "mechanic/user/trigger", None, enqueue=False)
    (task_run,) = perform_run(EventRun.claim(event.run.pk))
    perform_run(TaskRun.claim(task_run.pk))
    task_run.refresh_from_db()
    return task_run


def test_a_task_run_stores_only_references_with_its_own_nonce(shop):
    from tasks_app.models import Global

    Global.objects.create(shop=shop, key="x", value={"path": "v1/items"})
    make_secret(shop, "token", "s3cr3t-value")

    run = run_task(shop, SCRIPT, {"key__secret": "token"})

    ref = f"⟦secret:token:{run.secret_nonce}⟧"
    assert re.fullmatch(r"[0-9a-f]{32}", run.secret_nonce)
    assert (run.status, run.error) == ("succeeded", None)
    assert run.result == [
        {
            "log": {
                "x": {"path": "v1/items"},
                "token": ref,
                "auth": f"Bearer {ref}",
                "missing": None,
            }
        },
        {
            "action": {
                "type": "http",
                "options": {
                    "method": "get",
                    "url": "https://api.test/v1/items",
                    "headers": {"Authorization": f"Bearer {ref}"},
                },
            }
        },
        {"action": {"type": "echo", "options": {"option": ref, "plain": ref}}},
    ]
    assert list(run.action_runs.order_by("position").values_list("options", flat=True)) == [
        {"method": "get", "url": "https://api.test/v1/items", "headers": {"Authorization": f"Bearer {ref}"}},
        {"option": ref, "plain": ref},
    ]
    resolved, raw = resolve_references(run.result[1]["action"]["options"], shop=shop, nonce=run.secret_nonce)
    assert resolved["headers"] == {"Authorization": "Bearer s3cr3t-value"}
    assert raw == ["s3cr3t-value"]


def test_each_task_run_gets_its_own_nonce(shop):
    make_secret(shop, "token", "s3cr3t")
    script = "{% log secrets.token %}{% log secrets.token | size %}"

    first = run_task(shop, script)
    second = trigger(shop)

    assert first.secret_nonce != second.secret_nonce
    assert first.logs == [f"⟦secret:token:{first.secret_nonce}⟧", 47]
    assert second.logs[0] == f"⟦secret:token:{second.secret_nonce}⟧"


def test_the_run_render_settings_resolve_the_runs_references_for_signing(shop, monkeypatch):
    from tasks_app import rendering

    make_secret(shop, "signing_key", "k3y")
    seen = {}
    original = rendering.render_task

    def spy(**kwargs):
        seen["settings"] = kwargs["settings"]
        return original(**kwargs)

    monkeypatch.setattr(rendering, "render_task", spy)
    run = run_task(shop, "{% log secrets.signing_key %}")

    resolve = seen["settings"].resolve_secret
    assert resolve(f"⟦secret:signing_key:{run.secret_nonce}⟧") == "k3y"
    assert resolve("⟦secret:signing_key:someone-else⟧") == "⟦secret:signing_key:someone-else⟧"
