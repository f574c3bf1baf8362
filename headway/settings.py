"""Headway's one settings module, driven by HEADWAY_* environment variables.

Every variable is listed with one line in `.env.example`. Local runs need none of
them: SQLite in `var/`, a secret key generated once into `var/`, e-mail on the
console. `HEADWAY_ENV=production` turns on the strict settings and refuses to start
without a secret key and allowed hosts.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from headway.lib.env import ConfigError, env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

ENV = env_str("HEADWAY_ENV", "development").strip().lower()
if ENV not in {"development", "production"}:
    raise ConfigError(f"HEADWAY_ENV must be development or production (got {ENV!r}).")
PRODUCTION = ENV == "production"

DATA_DIR = Path(env_str("HEADWAY_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """Generate the key once per data directory, so sessions survive restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env_required(
        "HEADWAY_SECRET_KEY", "production needs a long random secret (50+ characters)."
    )
    ALLOWED_HOSTS = env_list("HEADWAY_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigError(
            "HEADWAY_ALLOWED_HOSTS must be set: the comma-separated host names this "
            "server answers to, e.g. okr.example.com."
        )
else:
    SECRET_KEY = env_str("HEADWAY_SECRET_KEY") or _local_secret_key()
    ALLOWED_HOSTS = env_list("HEADWAY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

DEBUG = env_bool("HEADWAY_DEBUG", False)
SITE_URL = env_str("HEADWAY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("HEADWAY_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "headway.accounts",
    "headway.teams",
    "headway.goals",
    "headway.coach",
    "headway.insights",
    "headway.notify",
    "headway.discovery",
    "headway.rollout",
    "headway.transfer",
    "headway.demo",
    "headway.web",
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
    "csp.middleware.CSPMiddleware",
    # Before anything reads a body: 413 for one too large, 400 for one not UTF-8.
    "headway.lib.body_limits.BodyLimitsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it inspects the response of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "headway.urls"
WSGI_APPLICATION = "headway.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "headway" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "headway.web.context.headway",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

_sqlite_default = f"sqlite:///{DATA_DIR / 'headway.sqlite3'}"
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        env_str("HEADWAY_DATABASE_URL") or _sqlite_default, conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE transactions take the
    # write lock up front so concurrent writers queue on the busy timeout instead of
    # failing with "database is locked" half way through. Connections persist across
    # requests (conn_max_age above), as on PostgreSQL: closing one after every request
    # drops its page cache and, when it was the last one open, checkpoints and deletes
    # the WAL, which doubled the server time of an API check-in (15 -> 30 ms, see
    # docs/performance.md). An idle connection in autocommit holds no lock.
    # Our backend queues writers on a lock file before BEGIN (headway/lib/sqlite_backend).
    DATABASES["default"]["ENGINE"] = "headway.lib.sqlite_backend"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("HEADWAY_SQLITE_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# Per-process memory: enough for one web process. The purpose survey's rate limit counts
# answers here; with several web processes use a shared cache (e.g. Django's database
# cache after `manage.py createcachetable`), see docs/purpose-survey.md.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "headway",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: five failures for one e-mail from one address lock it for an hour.
AXES_FAILURE_LIMIT = env_int("HEADWAY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the address as `username`; axes would otherwise look for `email`
# (the user model's USERNAME_FIELD), find nothing and lock no one out.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("HEADWAY_LOGIN_THROTTLING", True)

# Request bodies (headway/lib/body_limits.py answers 413 over these). Django's default
# for forms and JSON, stated here because the middleware reads it; a file upload may be
# as large as the importer accepts (transfer.services.MAX_UPLOAD_MB, 20 MB) plus the
# multipart envelope and the form's other fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = 20 * 2**20 + 64 * 2**10

INVITATION_DAYS = env_int("HEADWAY_INVITATION_DAYS", 14)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "headway" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without collectstatic (development, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_HOST = env_str("HEADWAY_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("HEADWAY_EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("HEADWAY_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("HEADWAY_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("HEADWAY_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("HEADWAY_EMAIL_FROM", "Headway <headway@localhost>")
# Seconds an SMTP connection may take; sends run in the worker, never in a request.
EMAIL_TIMEOUT = env_int("HEADWAY_EMAIL_TIMEOUT", 10)

# Notifications (docs/notifications.md). Chat goes through Apprise with short timeouts;
# in production a chat URL naming a private or loopback address is refused unless the
# operator allows them (an internal Mattermost, say).
NOTIFY_CHAT_TIMEOUT = env_int("HEADWAY_CHAT_TIMEOUT", 5)
NOTIFY_CHAT_ALLOW_PRIVATE = env_bool("HEADWAY_CHAT_ALLOW_PRIVATE", not PRODUCTION)

# Strict CSP: scripts only from us or with this request's nonce; no eval, no inline style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("HEADWAY_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("HEADWAY_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HEADWAY_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HEADWAY_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way commitment for the whole domain: the operator opts in
        # with HEADWAY_HSTS_PRELOAD, so its absence is not a deployment error.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    if env_bool("HEADWAY_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env_str("HEADWAY_LOG_LEVEL", "WARNING")},
    # Chat URLs hold secrets. Apprise logs the URLs it is given (headway.notify.chat
    # captures what it needs from its logger; nothing reaches the server log), and
    # urllib3 logs each request's path at DEBUG.
    "loggers": {
        "apprise": {"handlers": ["null"], "propagate": False},
        "urllib3": {"level": "WARNING"},
    },
}
