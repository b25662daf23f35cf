"""Django settings for samtykke, read once from environment variables (see conf.py).

| variable | meaning | default |
| --- | --- | --- |
| SAMTYKKE_DATABASE_URL | sqlite:///PATH or postgres://… | sqlite file ./samtykke.sqlite3 |
| SAMTYKKE_SECRET_KEY | Django's secret key (or _FILE) | required unless SAMTYKKE_DEBUG or a demo database |
| SAMTYKKE_LEDGER_KEY | key of the ledger's HMAC chain (or _FILE) | derived from the secret key |
| SAMTYKKE_PUBLIC_URL | base of every personal link | http://127.0.0.1:8000 |
| SAMTYKKE_DEBUG | development mode | false |
| SAMTYKKE_TASKS_BACKEND | db, rq or immediate | db |
| SAMTYKKE_REDIS_URL | Redis for rq | redis://127.0.0.1:6379/0 |
| SAMTYKKE_SMS_BACKEND | outbox, console, test, twilio, linkmobility, sveve | outbox |
| SAMTYKKE_SMS_TIMEOUT | seconds per SMS provider call | 10 |
| SAMTYKKE_SMS_PRICE_PER_SEGMENT | NOK per SMS segment, for cost estimates | 0.45 |
| SAMTYKKE_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _MESSAGING_SERVICE_SID, _FROM, _BASE_URL | Twilio | base https://api.twilio.com |
| SAMTYKKE_LINK_USERNAME, _PASSWORD, _PLATFORM_ID, _PLATFORM_PARTNER_ID, _DELIVERY_GATE_ID, _BASE_URL, _WEBHOOK_SECRET | LINK Mobility | base https://n-eu.linkmobility.io |
| SAMTYKKE_SVEVE_USER, _PASSWORD, _BASE_URL, _WEBHOOK_SECRET | Sveve | base https://sveve.no |
| SAMTYKKE_EMAIL_BACKEND | smtp, console, locmem, outbox | console in debug, smtp otherwise |
| SAMTYKKE_TRUSTED_PROXIES | proxies appending to X-Forwarded-For (client IP for rate limits, evidence) | 0 |
| SAMTYKKE_API_RATE_LIMIT | API requests per key per minute | 600 |
| SAMTYKKE_WEBHOOK_ALLOW_PRIVATE | webhooks may go to private/loopback addresses | false |
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from samtykke.conf import env_bool, env_choice, env_decimal, env_int, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("SAMTYKKE_DEBUG", False)

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("SAMTYKKE_DATABASE_URL") or f"sqlite:///{Path.cwd() / 'samtykke.sqlite3'}"
if not DATABASE_URL.startswith(("sqlite://", "postgres://", "postgresql://")):
    raise ImproperlyConfigured(
        f"SAMTYKKE_DATABASE_URL={DATABASE_URL!r}: use sqlite:///PATH or postgres://USER@HOST/NAME."
    )
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    import sqlite3

    if sqlite3.sqlite_version_info < (3, 35):
        # The ledger and the portal read ids and counters back with INSERT/UPDATE … RETURNING.
        raise ImproperlyConfigured(
            f"SQLite {sqlite3.sqlite_version} is too old: samtykke needs 3.35 or newer "
            "(or PostgreSQL through SAMTYKKE_DATABASE_URL)."
        )
    # Persistent connections (CONN_MAX_AGE above) here too: opening one costs more than most
    # requests' queries (connect, registering Django's SQL functions, the PRAGMAs below, and
    # closing). Between requests a connection is idle in autocommit mode, holding no lock, so
    # it blocks neither writers nor WAL checkpoints.
    _database["OPTIONS"] = {
        # One writer at a time, taken at BEGIN: no "database is locked" half-way through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    SQLITE_PATH: Path | None = Path(_database["NAME"]) if _database["NAME"] else None
else:
    # Django's engine with a health check that asks the server only when it said something
    # (see samtykke/dbbackends/postgresql/base.py): no SELECT 1 before every request.
    _database["ENGINE"] = "samtykke.dbbackends.postgresql"
    SQLITE_PATH = None
DATABASES = {"default": _database}
IS_POSTGRES = _database["ENGINE"] != "django.db.backends.sqlite3"


def _secret_beside_database() -> str | None:
    """The demo writes its generated secrets next to its SQLite file; find them there."""
    if SQLITE_PATH is None:
        return None
    candidate = SQLITE_PATH.with_name(SQLITE_PATH.name + ".secret")
    if candidate.is_file():
        return candidate.read_text(encoding="utf-8").strip()
    return None


_secret = env_str("SAMTYKKE_SECRET_KEY") or _secret_beside_database()
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SAMTYKKE_SECRET_KEY (or SAMTYKKE_SECRET_KEY_FILE) is required; "
            "set SAMTYKKE_DEBUG=1 for development, or run `samtykke demo`."
        )
    _secret = "development-only-" + "x" * 50
SECRET_KEY: str = _secret

# The ledger key keys the HMAC chain of consent events. It never lives in the database, so a
# rewrite of the whole chain by someone with database access alone is still detectable.
LEDGER_KEY: bytes = (
    env_str("SAMTYKKE_LEDGER_KEY")
    or hashlib.sha256(b"samtykke-ledger:" + SECRET_KEY.encode()).hexdigest()
).encode()

PUBLIC_URL = env_url("SAMTYKKE_PUBLIC_URL", "http://127.0.0.1:8000")
_public_host = urlsplit(PUBLIC_URL).hostname or "127.0.0.1"
ALLOWED_HOSTS = sorted(
    {_public_host, "127.0.0.1", "localhost", "[::1]", "testserver"}
    | {h.strip() for h in (env_str("SAMTYKKE_ALLOWED_HOSTS", "") or "").split(",") if h.strip()}
)
CSRF_TRUSTED_ORIGINS = [PUBLIC_URL]

# --- applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "samtykke.tenancy",
    "samtykke.customers",
    "samtykke.consent",
    "samtykke.messaging",
    "samtykke.campaigns",
    "samtykke.portal",
    "samtykke.backoffice",
    "samtykke.api",
    "samtykke.documents",
    "samtykke.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "samtykke.urls"
WSGI_APPLICATION = "samtykke.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served by WhiteNoise straight from the apps (finders); set
# SAMTYKKE_STATIC_ROOT and run `samtykke manage collectstatic` to serve compressed copies.
_static_root = env_str("SAMTYKKE_STATIC_ROOT")
STATIC_ROOT = Path(_static_root) if _static_root else None
MEDIA_ROOT = Path(env_str("SAMTYKKE_MEDIA_ROOT") or (Path.cwd() / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work ------------------------------------------------------------------------
TASKS_BACKEND = env_choice("SAMTYKKE_TASKS_BACKEND", "db", ("db", "rq", "immediate"))
REDIS_URL = env_str("SAMTYKKE_REDIS_URL", "redis://127.0.0.1:6379/0") or ""
REDIS_CONFIGURED = env_str("SAMTYKKE_REDIS_URL") is not None
TASKS: dict[str, dict[str, object]]
if TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- messaging ------------------------------------------------------------------------------
SMS_BACKEND = env_choice(
    "SAMTYKKE_SMS_BACKEND",
    "outbox",
    ("outbox", "console", "test", "twilio", "linkmobility", "sveve"),
)
# Provider credentials and hosts (tests point the base URLs at local fake servers).
SMS_TIMEOUT = env_int("SAMTYKKE_SMS_TIMEOUT", 10, minimum=1)  # seconds per provider call
SMS_PRICE_PER_SEGMENT = env_decimal("SAMTYKKE_SMS_PRICE_PER_SEGMENT", "0.45", minimum="0")  # NOK
TWILIO_ACCOUNT_SID = env_str("SAMTYKKE_TWILIO_ACCOUNT_SID", "") or ""
TWILIO_AUTH_TOKEN = env_str("SAMTYKKE_TWILIO_AUTH_TOKEN", "") or ""
TWILIO_MESSAGING_SERVICE_SID = env_str("SAMTYKKE_TWILIO_MESSAGING_SERVICE_SID", "") or ""
TWILIO_FROM = env_str("SAMTYKKE_TWILIO_FROM", "") or ""  # default: the dealer's sender name
TWILIO_BASE_URL = env_url("SAMTYKKE_TWILIO_BASE_URL", "https://api.twilio.com")
LINK_USERNAME = env_str("SAMTYKKE_LINK_USERNAME", "") or ""
LINK_PASSWORD = env_str("SAMTYKKE_LINK_PASSWORD", "") or ""
LINK_PLATFORM_ID = env_str("SAMTYKKE_LINK_PLATFORM_ID", "COMMON_API") or "COMMON_API"
LINK_PLATFORM_PARTNER_ID = env_str("SAMTYKKE_LINK_PLATFORM_PARTNER_ID", "") or ""
LINK_DELIVERY_GATE_ID = env_str("SAMTYKKE_LINK_DELIVERY_GATE_ID", "") or ""
LINK_BASE_URL = env_url("SAMTYKKE_LINK_BASE_URL", "https://n-eu.linkmobility.io")
LINK_WEBHOOK_SECRET = env_str("SAMTYKKE_LINK_WEBHOOK_SECRET", "") or ""
SVEVE_USER = env_str("SAMTYKKE_SVEVE_USER", "") or ""
SVEVE_PASSWORD = env_str("SAMTYKKE_SVEVE_PASSWORD", "") or ""
SVEVE_BASE_URL = env_url("SAMTYKKE_SVEVE_BASE_URL", "https://sveve.no")
SVEVE_WEBHOOK_SECRET = env_str("SAMTYKKE_SVEVE_WEBHOOK_SECRET", "") or ""
_sms_required = {
    "twilio": ["SAMTYKKE_TWILIO_ACCOUNT_SID", "SAMTYKKE_TWILIO_AUTH_TOKEN"],
    "linkmobility": [
        "SAMTYKKE_LINK_USERNAME",
        "SAMTYKKE_LINK_PASSWORD",
        "SAMTYKKE_LINK_PLATFORM_PARTNER_ID",
    ],
    "sveve": ["SAMTYKKE_SVEVE_USER", "SAMTYKKE_SVEVE_PASSWORD"],
}.get(SMS_BACKEND, [])
_sms_missing = [n for n in _sms_required if not env_str(n)]
if _sms_missing:
    raise ImproperlyConfigured(
        f"SAMTYKKE_SMS_BACKEND={SMS_BACKEND} needs {', '.join(_sms_missing)} (or *_FILE)."
    )
_email_backends = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_BACKEND = _email_backends[
    env_choice("SAMTYKKE_EMAIL_BACKEND", "console" if DEBUG else "smtp", tuple(_email_backends))
]
EMAIL_HOST = env_str("SAMTYKKE_EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("SAMTYKKE_EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("SAMTYKKE_FROM_EMAIL", "samtykke@localhost") or "samtykke@localhost"

# --- security -------------------------------------------------------------------------------
# Django's database sessions, read with one plain statement per request (samtykke/sessions.py).
SESSION_ENGINE = "samtykke.sessions"
SESSION_COOKIE_AGE = env_int("SAMTYKKE_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin": no Referer leaves the site (personal links stay private), while the browser
# still sends a real Origin on our own form POSTs. With "no-referrer" it sends "Origin: null",
# which Django's CSRF check rejects: no staff or admin form could be submitted in a browser.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https = PUBLIC_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https and env_bool("SAMTYKKE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"samtykke": {"level": env_str("SAMTYKKE_LOG_LEVEL", "INFO") or "INFO"}},
}

# Reverse proxies in front that append the client's address to X-Forwarded-For (0: none, use
# REMOTE_ADDR). The portal's per-IP rate limit and consent evidence use the address they saw.
TRUSTED_PROXIES = env_int("SAMTYKKE_TRUSTED_PROXIES", 0, minimum=0)

# --- product --------------------------------------------------------------------------------
PERSONAL_LINK_DAYS = env_int("SAMTYKKE_PERSONAL_LINK_DAYS", 60, minimum=1)

# --- API and webhooks -----------------------------------------------------------------------
API_RATE_LIMIT_PER_MINUTE = env_int("SAMTYKKE_API_RATE_LIMIT", 600, minimum=1)
# "redis" shares the counters through SAMTYKKE_REDIS_URL; "database" works everywhere.
API_RATE_LIMIT_STORE = "redis" if REDIS_CONFIGURED else "database"
WEBHOOK_ALLOW_PRIVATE = env_bool("SAMTYKKE_WEBHOOK_ALLOW_PRIVATE", DEBUG)
