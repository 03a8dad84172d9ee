"""Django settings for Hub.

Every setting is read from the environment and has a local default, so every
``manage.py`` command works with nothing set. Settings of our own are named
``HUB_...``. The embedded default is SQLite (WAL mode) with the Django-Q2 ORM
broker; ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment (``1/true/yes/on`` are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer from the environment."""
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    """Read a number (fractions allowed) from the environment."""
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list from the environment."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("HUB_SECRET_KEY", "hub-local-development-key-change-me-in-production-0123456789")
DEBUG = env_bool("HUB_DEBUG", False)
ALLOWED_HOSTS = env_list("HUB_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("HUB_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "integrations.admin_app.HubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django.contrib.sites",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The task sync API (spec/platform.md §8), the top layer.
    "api",
    # Before django_q, so that its qcluster command (with the sweeper and a graceful stop) is the one run.
    "runs",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "integrations",
    "events",
    "tasks_app",
    # The Shopify stand-in, a development and test tool; installed for its shopify_standin command.
    "standin",
]
# Hub's own OAuth providers for integration accounts (spec/platform.md §6.1) and the shop
# install; they replace allauth's built-in google/slack/shopify apps, which must not be
# installed beside them (same provider ids).
INSTALLED_APPS += [
    "integrations.oauth.airtable",
    "integrations.oauth.google",
    "integrations.oauth.slack",
    "integrations.oauth.shopify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "hub.wsgi.application"

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("HUB_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the qcluster workers read while one writes;
    # IMMEDIATE transactions take the write lock up front instead of failing
    # with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a qcluster subprocess can share the test database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("HUB_TEST_DB") or str(BASE_DIR / "test_db.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses password sign-ins of a username and address locked out after failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
# Password sign-ins: after HUB_LOGIN_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for HUB_LOGIN_COOLOFF_MIN minutes (django-axes; answered 429).
AXES_FAILURE_LIMIT = env_int("HUB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HUB_LOGIN_COOLOFF_MIN", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Where a sign-in lands: the console (merchants through Shopify, staff through the login form).
LOGIN_REDIRECT_URL = "/admin/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Set HUB_STATIC_ROOT (and run collectstatic) to serve collected files in production.
STATIC_ROOT = os.environ.get("HUB_STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the finders so no collectstatic step is needed locally.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

HUB_LOG_LEVEL = os.environ.get("HUB_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "q": {"format": "%(asctime)s [Q] %(levelname)s %(message)s", "datefmt": "%H:%M:%S"},
    },
    # The standing schedules' routine lines are DEBUG (hub/logs.py): set HUB_LOG_LEVEL=DEBUG to see them.
    "filters": {"standing_schedules": {"()": "hub.logs.StandingScheduleFilter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "q_stderr": {"class": "logging.StreamHandler", "formatter": "q"},
    },
    "loggers": {
        # Server errors (500s) with their tracebacks, whatever HUB_DEBUG says.
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django-q": {
            "handlers": ["q_stderr"],
            "filters": ["standing_schedules"],
            "level": HUB_LOG_LEVEL,
            "propagate": False,
        },
        **{
            app: {"handlers": ["stderr"], "level": HUB_LOG_LEVEL}
            for app in ("hub", "events", "tasks_app", "runs", "integrations", "standin")
        },
    },
}

# --- Django REST framework ------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI 3 schema of /api/v1 and its page, with assets served by Hub (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Hub task sync API",
    "DESCRIPTION": "Tasks, previews, globals and secrets of the shop an API token belongs to "
    "(spec/platform.md §8).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["api.schema.only_api"],
}

# --- Django-Q2: the run queue and the schedules -----------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Queue messages only wake workers (runs/dispatch.py): a redelivered or lost one is harmless, and
# the run rows say what is to be done. `retry` sits above the longest run (the 300 s action cap) so
# the ORM broker does not redeliver a message whose run is still being performed; successful jobs
# are not stored (save_limit -1: storing and pruning a row per wake-up cost a fifth of all CPU).
Q_CLUSTER = {
    "name": os.environ.get("HUB_Q_NAME", "hub"),
    "workers": env_int("HUB_Q_WORKERS", 2),
    "timeout": env_int("HUB_Q_TIMEOUT_S", 330),
    "retry": env_int("HUB_Q_RETRY_S", 360),
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": -1,
    "poll": 0.5,
    "label": "Django-Q2",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # Polls again at once while messages are waiting, and backs off to `poll` when idle.
    Q_CLUSTER["broker_class"] = "runs.broker.PromptORM"

# --- Email --------------------------------------------------------------------------
HUB_MAIL_DOMAIN = os.environ.get("HUB_MAIL_DOMAIN", "mail.hub.localhost")
# HTTP basic credentials (user:password) the email provider's inbound-parse callback must send to
# POST /email/inbound (spec/platform.md §3.4); unset, that endpoint refuses everything.
HUB_INBOUND_EMAIL_AUTH = os.environ.get("HUB_INBOUND_EMAIL_AUTH", "")
EMAIL_HOST = os.environ.get("HUB_EMAIL_HOST", "")
EMAIL_PORT = env_int("HUB_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("HUB_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HUB_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HUB_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("HUB_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("HUB_EMAIL_TIMEOUT_S", 30)
EMAIL_BACKEND = os.environ.get(
    "HUB_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "hub.mail.StderrConsoleBackend",
)

# --- Hub --------------------------------------------------------------------------
# Shopify app credentials: deliveries are verified with the app secret (and the
# previous one while rotating).
# A folder of task exports the console's task library lists (make run points it at the public
# library when ../shared holds it); empty: no library.
HUB_TASK_LIBRARY_DIR = os.environ.get("HUB_TASK_LIBRARY_DIR", "")
HUB_SHOPIFY_API_KEY = os.environ.get("HUB_SHOPIFY_API_KEY", "")
HUB_SHOPIFY_API_SECRET = os.environ.get("HUB_SHOPIFY_API_SECRET", "hub-development-shopify-secret")
HUB_SHOPIFY_API_SECRET_PREVIOUS = os.environ.get("HUB_SHOPIFY_API_SECRET_PREVIOUS", "")
HUB_SHOPIFY_API_VERSION = os.environ.get("HUB_SHOPIFY_API_VERSION", "2026-07")
# Largest accepted inbound webhook body, in bytes (spec/platform.md §1.10).
HUB_MAX_WEBHOOK_BYTES = env_int("HUB_MAX_WEBHOOK_BYTES", 20 * 1024 * 1024)
# Repeated Shopify deliveries are dropped within this window (spec/platform.md §2.3).
HUB_SHOPIFY_DEDUP_HOURS = env_int("HUB_SHOPIFY_DEDUP_HOURS", 48)
HUB_WEBHOOK_BASE_URL = os.environ.get("HUB_WEBHOOK_BASE_URL", "http://127.0.0.1:8000/webhooks")
# How far (seconds) a signed webhook's webhook-timestamp may lie from now (Standard Webhooks signatures).
HUB_WEBHOOK_SIGNATURE_TOLERANCE_S = int(os.environ.get("HUB_WEBHOOK_SIGNATURE_TOLERANCE_S", "300"))
HUB_DEFAULT_RUN_CONCURRENCY = env_int("HUB_DEFAULT_RUN_CONCURRENCY", 4)
# Hand due runs to Django-Q2 after commit. Tests turn it off and perform runs
# in-process; the CLI's --sync does the same for one event.
HUB_ENQUEUE_RUNS = env_bool("HUB_ENQUEUE_RUNS", True)
# Automatic retries of runs that failed with a non-permanent error: the delay before each retry,
# in seconds (spec/runtime.md §9.1; ±10 % jitter).
HUB_RETRY_DELAYS_S = [float(value) for value in env_list("HUB_RETRY_DELAYS_S", "30,76,152,308")]
# A worker's claim on a run lasts this long unless renewed (its process renews it every third of
# it); the sweeper takes back runs whose claim lapsed, every HUB_SWEEP_INTERVAL_S seconds.
HUB_RUN_LEASE_S = env_float("HUB_RUN_LEASE_S", 30)
HUB_SWEEP_INTERVAL_S = env_float("HUB_SWEEP_INTERVAL_S", 5)
# On SIGTERM, qcluster stops claiming at once and exits when its runs in flight end, or after this.
HUB_SHUTDOWN_GRACE_S = env_float("HUB_SHUTDOWN_GRACE_S", 30)
# Events (with their runs) are deleted this many days after they became complete (spec/platform.md §10.1).
HUB_RETENTION_DAYS = env_int("HUB_RETENTION_DAYS", 15)
HUB_TASK_RUN_TIMEOUT_S = env_int("HUB_TASK_RUN_TIMEOUT_S", 60)
HUB_TASK_RUN_MEMORY_MB = env_int("HUB_TASK_RUN_MEMORY_MB", 512)
# HTTP action timeouts, in seconds (spec/actions.md §2).
HUB_HTTP_CONNECT_TIMEOUT_S = env_int("HUB_HTTP_CONNECT_TIMEOUT_S", 10)
HUB_HTTP_READ_TIMEOUT_S = env_int("HUB_HTTP_READ_TIMEOUT_S", 60)
# Mechanic webhooks, Full request mode: how many reverse proxies in front of Hub
# append to X-Forwarded-For (0: use the socket address), and headers our own
# edge proxy adds that task data should not see (spec/platform.md §1.5).
HUB_TRUSTED_PROXY_HOPS = env_int("HUB_TRUSTED_PROXY_HOPS", 0)
HUB_WEBHOOK_HEADER_DENYLIST = env_list("HUB_WEBHOOK_HEADER_DENYLIST", "")
# Encryption keys for shop secrets and the OAuth tokens of connected accounts
# (spec/platform.md §5.3, §6.1; hub/crypto.py): comma-separated Fernet keys, newest
# first. New values are encrypted with the first; every listed key decrypts;
# ``manage.py rotate_secrets`` re-encrypts both with the first so older keys can
# then be removed. Empty: a key derived from SECRET_KEY (local use only;
# production MUST set this, e.g. from ``Fernet.generate_key()``).
HUB_SECRET_KEYS = env_list("HUB_SECRET_KEYS", "")
# Shopify Admin API base URL override (e.g. the stand-in, ``http://127.0.0.1:8765``): when set,
# every Shopify request goes to <this URL>/admin/api/<version>/... instead of
# https://<shop>.myshopify.com. Operator-set, so no outbound-address guard applies.
HUB_SHOPIFY_ADMIN_URL = os.environ.get("HUB_SHOPIFY_ADMIN_URL", "").rstrip("/")

# --- Integrations (spec/platform.md §6) --------------------------------------------
# Public base URL of this Hub, for links sent to other services (Flow's event inspector URL).
HUB_BASE_URL = os.environ.get("HUB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Public base of cache endpoint URLs, <this>/<endpoint id> (spec/platform.md §4.6).
HUB_CACHE_BASE_URL = os.environ.get("HUB_CACHE_BASE_URL", f"{HUB_BASE_URL}/cache").rstrip("/")
# OAuth apps for connected accounts. allauth drives the dance; tokens are stored
# (SOCIALACCOUNT_STORE_TOKENS) and bound to a shop as integrations.Connection rows.
SOCIALACCOUNT_STORE_TOKENS = True
SOCIALACCOUNT_PROVIDERS = {
    "airtable": {
        "APP": {
            "client_id": os.environ.get("HUB_AIRTABLE_CLIENT_ID", ""),
            "secret": os.environ.get("HUB_AIRTABLE_CLIENT_SECRET", ""),
        },
    },
    "google": {
        "APP": {
            "client_id": os.environ.get("HUB_GOOGLE_CLIENT_ID", ""),
            "secret": os.environ.get("HUB_GOOGLE_CLIENT_SECRET", ""),
        },
    },
    "slack": {
        "APP": {
            "client_id": os.environ.get("HUB_SLACK_CLIENT_ID", ""),
            "secret": os.environ.get("HUB_SLACK_CLIENT_SECRET", ""),
        },
    },
    "shopify": {
        "APP": {"client_id": HUB_SHOPIFY_API_KEY, "secret": HUB_SHOPIFY_API_SECRET},
    },
}
# Service endpoints, defaulting to the real services; tests point them at local stand-ins.
HUB_SLACK_API_URL = os.environ.get("HUB_SLACK_API_URL", "https://slack.com/api")
HUB_SLACK_OAUTH_AUTHORIZE_URL = os.environ.get(
    "HUB_SLACK_OAUTH_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize"
)
HUB_AIRTABLE_API_URL = os.environ.get("HUB_AIRTABLE_API_URL", "https://api.airtable.com")
HUB_AIRTABLE_OAUTH_URL = os.environ.get("HUB_AIRTABLE_OAUTH_URL", "https://airtable.com/oauth2/v1")
HUB_GOOGLE_OAUTH_AUTHORIZE_URL = os.environ.get(
    "HUB_GOOGLE_OAUTH_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth"
)
HUB_GOOGLE_OAUTH_TOKEN_URL = os.environ.get(
    "HUB_GOOGLE_OAUTH_TOKEN_URL", "https://oauth2.googleapis.com/token"
)
HUB_GOOGLE_USERINFO_URL = os.environ.get(
    "HUB_GOOGLE_USERINFO_URL", "https://openidconnect.googleapis.com/v1/userinfo"
)
# Drive (/drive/..., /upload/...), Sheets and Docs hosts (spec/actions.md §13).
HUB_GOOGLE_DRIVE_API_URL = os.environ.get("HUB_GOOGLE_DRIVE_API_URL", "https://www.googleapis.com")
HUB_GOOGLE_SHEETS_API_URL = os.environ.get("HUB_GOOGLE_SHEETS_API_URL", "https://sheets.googleapis.com")
HUB_GOOGLE_DOCS_API_URL = os.environ.get("HUB_GOOGLE_DOCS_API_URL", "https://docs.googleapis.com")
# Report Toaster partner endpoint and Hub's partner key (spec/actions.md §14). No public
# endpoint is documented: both come from the partner agreement; unset, the action fails.
HUB_REPORT_TOASTER_API_URL = os.environ.get("HUB_REPORT_TOASTER_API_URL", "").rstrip("/")
HUB_REPORT_TOASTER_API_KEY = os.environ.get("HUB_REPORT_TOASTER_API_KEY", "")
# Partners that deliver events to POST /partners/<partner>/events (spec/platform.md §6.4), each with
# the secret its deliveries are signed with: "judgeme=s1,locksmith=s2,...". Unlisted partners are refused.
HUB_PARTNER_SECRETS = os.environ.get("HUB_PARTNER_SECRETS", "")
# Handles of the four Flow trigger extensions of Hub's Shopify app (spec/platform.md §6.6).
HUB_SHOPIFY_FLOW_TRIGGER_HANDLES = {
    "general": os.environ.get("HUB_SHOPIFY_FLOW_TRIGGER_GENERAL", "mechanic-sent-general-data"),
    "customer": os.environ.get("HUB_SHOPIFY_FLOW_TRIGGER_CUSTOMER", "mechanic-sent-customer-data"),
    "order": os.environ.get("HUB_SHOPIFY_FLOW_TRIGGER_ORDER", "mechanic-sent-order-data"),
    "product": os.environ.get("HUB_SHOPIFY_FLOW_TRIGGER_PRODUCT", "mechanic-sent-product-data"),
}
# Integration API calls: timeouts in seconds, and the pause before re-sending a
# rate-limited (429) request when the service sends no Retry-After (capped at 30 s).
HUB_INTEGRATION_CONNECT_TIMEOUT_S = env_int("HUB_INTEGRATION_CONNECT_TIMEOUT_S", 10)
HUB_INTEGRATION_READ_TIMEOUT_S = env_int("HUB_INTEGRATION_READ_TIMEOUT_S", 60)
HUB_INTEGRATION_RETRY_DELAY_S = float(os.environ.get("HUB_INTEGRATION_RETRY_DELAY_S", "2"))
# Liquid render limits per task run besides time and memory (spec/runtime.md §13,
# tasks_app/liquid/limits.py): iterations of all loops of a run, script output in MiB
# (counted in characters), nested loop scopes.
HUB_LIQUID_LOOP_ITERATION_LIMIT = env_int("HUB_LIQUID_LOOP_ITERATION_LIMIT", 10_000_000)
HUB_LIQUID_OUTPUT_LIMIT_MB = env_int("HUB_LIQUID_OUTPUT_LIMIT_MB", 64)
HUB_LIQUID_CONTEXT_DEPTH_LIMIT = env_int("HUB_LIQUID_CONTEXT_DEPTH_LIMIT", 30)

# --- Outbound connections, generated files, FTP (spec/actions.md §2, §4, §5, §16) -------------
# Internal addresses (loopback, private, link-local, metadata...) that task-controlled
# connections (HTTP action, url file generator, PDF resources, FTP/SFTP) may reach anyway:
# comma-separated networks ("10.1.0.0/16", "127.0.0.1") and/or host names ("erp.internal").
HUB_HTTP_ALLOW_PRIVATE = env_list("HUB_HTTP_ALLOW_PRIVATE", "")
# Files action: where generated files are stored, the public URL prefix they are served
# under (tasks_app.urls: /files/<token>/<name>), and how long they live (seconds; 7 days).
# Serve them from a separate host name in production: they hold task-generated content.
HUB_FILES_ROOT = os.environ.get("HUB_FILES_ROOT") or str(BASE_DIR / "var" / "files")
HUB_FILES_BASE_URL = os.environ.get("HUB_FILES_BASE_URL", "http://127.0.0.1:8000/files")
HUB_FILES_TTL = env_int("HUB_FILES_TTL", 7 * 24 * 3600)
# FTP action: connect and per-operation timeout, in seconds.
HUB_FTP_TIMEOUT_S = env_int("HUB_FTP_TIMEOUT_S", 30)

# --- Accounts -------------------------------------------------------------------
# Password sign-up is closed: operators create staff users; merchants sign in
# through Shopify OAuth (integrations/accounts.py).
HUB_OPEN_SIGNUP = env_bool("HUB_OPEN_SIGNUP", False)
ACCOUNT_ADAPTER = "integrations.accounts.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "integrations.accounts.SocialAccountAdapter"
