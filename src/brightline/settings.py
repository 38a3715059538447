"""Settings, read from the environment through the strict helpers in brightline.env.

Development defaults are local and safe; production (BRIGHTLINE_PRODUCTION=1) refuses to start
without a secret key and turns on the HTTPS-only protections.
"""

from __future__ import annotations

import re
from email.utils import formataddr, getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from brightline.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    env_timezone,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent

PRODUCTION = env_bool("BRIGHTLINE_PRODUCTION", False)
DEBUG = env_bool("BRIGHTLINE_DEBUG", False)
DATA_DIR = env_path("BRIGHTLINE_DATA_DIR", "./var")
SECRET_KEY = secret_key("BRIGHTLINE_SECRET_KEY", DATA_DIR, production=PRODUCTION)
ALLOWED_HOSTS = env_list("BRIGHTLINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("BRIGHTLINE_CSRF_TRUSTED_ORIGINS", [])

DISTRICT_NAME = env_str("BRIGHTLINE_DISTRICT_NAME", "Bright Line Demo Public Schools")
# The origin line of the district's signed ledger checkpoints (C2SP tlog-checkpoint).
LEDGER_ORIGIN = env_str("BRIGHTLINE_LEDGER_ORIGIN", "brightline.example/demo-district/ledger")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API docs' Swagger UI from our own static files (no CDN, no inline script: the CSP holds).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "brightline.accounts",
    "brightline.roster",
    "brightline.agencies",
    "brightline.policy",
    "brightline.casework",
    "brightline.disclosures",
    "brightline.notices",
    "brightline.ledger",
    "brightline.transparency",
    "brightline.incidents",
    "brightline.training",
    "brightline.web",
    "brightline.operations",
]

# The demo district (`brightline demo`) comes with the `demo` extra, which `make run` installs; a
# district's install runs without it. The package imports only where the extra is installed.
try:
    import brightline.demo  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    INSTALLED_APPS.append("brightline.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "brightline.accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Their checks (process_view) run in this order, ahead of CSRF's: a flood, an oversized upload or
    # text that cannot be stored is refused before anything else is done with it.
    "brightline.accounts.ratelimits.RateLimitMiddleware",
    "brightline.accounts.middleware.UploadLimitMiddleware",
    "brightline.accounts.middleware.UnencodableTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "brightline.web.middleware.UserLanguageMiddleware",
    "brightline.accounts.middleware.MfaRequiredMiddleware",
    "brightline.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "brightline.urls"
WSGI_APPLICATION = "brightline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "brightline.web.context_processors.district",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'brightline.sqlite3'}"
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as error:
        raise ConfigurationError(f"DATABASE_URL: {error}") from None
    engine = str(config.get("ENGINE", ""))
    if engine == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue instead of failing halfway through a transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif engine != "django.db.backends.postgresql":
        raise ConfigurationError(f"DATABASE_URL: only sqlite:// and postgres:// are supported; got {engine}")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# Counts failed sign-ins in the database (per username and per address) and refuses locked accounts.
AUTHENTICATION_BACKENDS = ["brightline.accounts.lockout.LockoutModelBackend"]
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "en"
TIME_ZONE = env_timezone("BRIGHTLINE_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("ht", "Kreyòl ayisyen"),
    ("kea", "Kriolu kabuverdianu"),
    ("pt", "Português"),
    ("vi", "Tiếng Việt"),
    ("zh-hans", "简体中文"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Date formats Django leaves incomplete for some of these languages (brightline/formats).
FORMAT_MODULE_PATH = ["brightline.formats"]
# The language chooser's choice: a year, over HTTPS in production; a signed-in person's is also kept on
# their account (brightline.web.middleware.UserLanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve app static files straight from the package in development, without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "files"
# Uploaded legal documents live outside the web root and are served only through authorised views.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("BRIGHTLINE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Each file is counted as it streams in and refused (422, naming its field) once past UPLOAD_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "brightline.accounts.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Staff sessions end after 30 idle minutes: the expiry moves forward with every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere: an injected <script> cannot run (accounts/middleware.py).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Multi-factor sign-in (TOTP) for staff and requesters; off only outside production (demos, browser tests).
REQUIRE_MFA = env_bool("BRIGHTLINE_REQUIRE_MFA", True)
if PRODUCTION and not REQUIRE_MFA:
    raise ConfigurationError("BRIGHTLINE_REQUIRE_MFA: cannot be off when BRIGHTLINE_PRODUCTION is on")
# Staff sign-in through the district's OpenID Connect provider (accounts/oidc.py); off while the issuer
# is empty. Requesters and families keep the username and password.
OIDC_ISSUER = env_str("BRIGHTLINE_OIDC_ISSUER", "").strip()
OIDC_CLIENT_ID = env_str("BRIGHTLINE_OIDC_CLIENT_ID", "").strip()
OIDC_CLIENT_SECRET = env_str("BRIGHTLINE_OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = env_str("BRIGHTLINE_OIDC_PROVIDER_NAME", "the district's account").strip()
OIDC_GROUPS_CLAIM = env_str("BRIGHTLINE_OIDC_GROUPS_CLAIM", "groups").strip()
# Scopes asked for; some providers send the groups claim only with a scope of its own ("groups").
OIDC_SCOPE = env_str("BRIGHTLINE_OIDC_SCOPE", "openid profile email").strip()
# The provider's own second factor counts when its `amr` holds one of these or its `acr` is one of these.
OIDC_MFA_AMR = env_list("BRIGHTLINE_OIDC_MFA_AMR", ["mfa"])
OIDC_MFA_ACR = env_list("BRIGHTLINE_OIDC_MFA_ACR", [])
if OIDC_ISSUER:
    _issuer = urlsplit(OIDC_ISSUER)
    if _issuer.scheme not in ("http", "https") or not _issuer.netloc or _issuer.query or _issuer.fragment:
        raise ConfigurationError(
            f"BRIGHTLINE_OIDC_ISSUER: expected the provider's https address; got {OIDC_ISSUER!r}"
        )
    if PRODUCTION and _issuer.scheme != "https":
        raise ConfigurationError("BRIGHTLINE_OIDC_ISSUER: must be https when BRIGHTLINE_PRODUCTION is on")
    if not OIDC_CLIENT_ID or not OIDC_CLIENT_SECRET:
        raise ConfigurationError(
            "BRIGHTLINE_OIDC_CLIENT_ID and BRIGHTLINE_OIDC_CLIENT_SECRET: required with BRIGHTLINE_OIDC_ISSUER"
        )
# After this many failed sign-ins within the window an account (or an address, for its own larger
# count) is refused until the window has passed since the last failure.
SIGNIN_LOCKOUT_FAILURES = env_int("BRIGHTLINE_SIGNIN_LOCKOUT_FAILURES", 5, minimum=1)
SIGNIN_LOCKOUT_IP_FAILURES = env_int("BRIGHTLINE_SIGNIN_LOCKOUT_IP_FAILURES", 50, minimum=1)
SIGNIN_LOCKOUT_MINUTES = env_int("BRIGHTLINE_SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_TIMEOUT = 60 * 60


def _rate(name: str, default: str) -> str:
    """A rate as django-ratelimit reads it: a count per period, e.g. 600/m, 10/15m, 5/h."""
    raw = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", raw):
        raise ConfigurationError(f"{name}: expected a count per period such as 600/m or 10/15m; got {raw!r}")
    return raw


# Rate limits (accounts/ratelimits.py): a token, an account or an address past its rate is answered
# 429 with Retry-After. Sized for real use: an agency's system polling and submitting, an office of staff
# behind one address, a person signing in a few times a day; see README.md's configuration table.
RATELIMIT_ENABLE = env_bool("BRIGHTLINE_RATE_LIMITS", True)
RATE_LIMITS = {
    "api_token": _rate("BRIGHTLINE_RATE_API_TOKEN", "600/m"),
    "api_account": _rate("BRIGHTLINE_RATE_API_ACCOUNT", "300/m"),
    "api_address": _rate("BRIGHTLINE_RATE_API_ADDRESS", "1200/m"),
    "signin_account": _rate("BRIGHTLINE_RATE_SIGNIN_ACCOUNT", "10/15m"),
    "signin_address": _rate("BRIGHTLINE_RATE_SIGNIN_ADDRESS", "100/5m"),
    "mfa_account": _rate("BRIGHTLINE_RATE_MFA_ACCOUNT", "10/15m"),
    "mfa_address": _rate("BRIGHTLINE_RATE_MFA_ADDRESS", "100/5m"),
    "password_reset_account": _rate("BRIGHTLINE_RATE_PASSWORD_RESET_ACCOUNT", "3/h"),
    "password_reset_address": _rate("BRIGHTLINE_RATE_PASSWORD_RESET_ADDRESS", "20/h"),
}
# The counters are rows of a database cache table (created by an accounts migration, as by
# `createcachetable`): every worker process counts the same. Nothing else caches, and no cache is
# per-process: the default cache keeps nothing.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "ratelimit": {
        "BACKEND": "brightline.accounts.ratelimits.RateLimitCache",
        "LOCATION": "brightline_rate_limits",
        "OPTIONS": {"MAX_ENTRIES": 10_000, "CULL_FREQUENCY": 3},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("BRIGHTLINE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# smtp (default) sends through EMAIL_HOST; file writes each message to $BRIGHTLINE_DATA_DIR/outbox
# (the demo uses it, so that nothing leaves the machine); console prints them.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
_email_backend = env_str("BRIGHTLINE_EMAIL_BACKEND", "smtp")
if _email_backend not in _EMAIL_BACKENDS:
    raise ConfigurationError(
        f"BRIGHTLINE_EMAIL_BACKEND: one of {', '.join(_EMAIL_BACKENDS)}; got {_email_backend!r}"
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_TIMEOUT = 10
EMAIL_HOST = env_str("BRIGHTLINE_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("BRIGHTLINE_EMAIL_PORT", 1025, minimum=1, maximum=65535)
DEFAULT_FROM_EMAIL = env_str("BRIGHTLINE_FROM_EMAIL", "records-office@brightline.example")


def _mailbox(name: str) -> str:
    """One email address, optionally with a name ("Missing Persons Unit <mpu@police.example>"); empty
    when unset."""
    raw = env_str(name, "").strip()
    if not raw:
        return ""
    addresses = getaddresses([raw])
    display, address = addresses[0] if len(addresses) == 1 else ("", "")
    local, _at, domain = address.rpartition("@")
    if (
        not local
        or "." not in domain.strip(".")
        or any(character.isspace() or character in ",;<>" for character in address)
    ):
        raise ConfigurationError(
            f"{name}: expected one email address, optionally with a name "
            f"(Missing Persons Unit <mpu@police.example>); got {raw!r}"
        )
    return formataddr((display, address))


def _site_url(name: str, default: str) -> str:
    raw = env_str(name, default).strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            f"{name}: expected an http(s) address such as https://records.example.org; got {raw!r}"
        )
    return raw


# Told when records of a student flagged missing are asked for (obligation alert_police_missing_child).
# Empty: each alert is kept as undeliverable and the administrator's settings page says what is missing.
MISSING_PERSONS_CONTACT = _mailbox("BRIGHTLINE_MISSING_PERSONS_CONTACT")
# Business days after a request arrives by which an administrator decides whether the family is told
# (obligation family_notice_by_administrator).
FAMILY_NOTICE_DECISION_DAYS = env_int("BRIGHTLINE_FAMILY_NOTICE_DECISION_DAYS", 10, minimum=1)
# An abuse report school staff recorded after the fact is kept from the family at most this many days
# before an administrator shows it or extends the hold with a reason.
FAMILY_NOTICE_HOLD_DAYS = env_int("BRIGHTLINE_FAMILY_NOTICE_HOLD_DAYS", 30, minimum=1)
# A non-disclosure order "until further order" is reviewed by counsel at least this often (days); one with
# an end date ends by itself on that day (`brightline withheld_due`, daily).
NONDISCLOSURE_REVIEW_DAYS = env_int("BRIGHTLINE_NONDISCLOSURE_REVIEW_DAYS", 90, minimum=1)
# Where staff open Bright Line: the links in emails to counsel.
SITE_URL = _site_url("BRIGHTLINE_SITE_URL", "http://127.0.0.1:8000")

# Casework timing (business days, district calendar); see casework/README.md.
DECISION_DEADLINE_BUSINESS_DAYS = env_int("BRIGHTLINE_DECISION_DEADLINE_DAYS", 10, minimum=1)
ADVANCE_NOTICE_DAYS = env_int("BRIGHTLINE_ADVANCE_NOTICE_DAYS", 10, minimum=0)
# Business days after the decision deadline before a student nobody identified is closed ("no records
# released"): the records office is reminded every day until then.
UNIDENTIFIED_CLOSE_DAYS = env_int("BRIGHTLINE_UNIDENTIFIED_CLOSE_DAYS", 10, minimum=0)
RELEASE_LINK_HOURS = env_int("BRIGHTLINE_RELEASE_LINK_HOURS", 72, minimum=1)
# The roster on a schedule (roster/scheduled.py): the SIS drops a OneRoster bundle (a folder or a .zip)
# here; the setup checklist calls the roster stale once the last import is older than ROSTER_FRESH_DAYS.
ROSTER_DROP_DIR = env_path("BRIGHTLINE_ROSTER_DROP_DIR", str(DATA_DIR / "roster-drop"))
ROSTER_FRESH_DAYS = env_int("BRIGHTLINE_ROSTER_FRESH_DAYS", 8, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("BRIGHTLINE_LOG_LEVEL", "INFO")},
    # WeasyPrint's font subsetting logs every table it touches.
    "loggers": {"fontTools": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Background work (family notices): Django's task API through the django-tasks backport, stored in the
# database and run by `brightline db_worker`. Tests switch to the immediate backend.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
