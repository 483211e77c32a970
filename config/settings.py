"""Djemaa's settings: one module, every value from the environment, with safe defaults.

Documented in the README ("Configuration"). Nothing here should need editing to run a site.
"""

import os
import secrets
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("DJEMAA_DATA_DIR", "./data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in the data directory."""
    if key := os.environ.get("DJEMAA_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must not each write their own key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_flag("DJEMAA_DEBUG")

PUBLIC_URL = os.environ.get("DJEMAA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_URL)
if _public.scheme not in {"http", "https"} or not _public.hostname:
    raise ImproperlyConfigured(
        f"DJEMAA_PUBLIC_URL must look like https://forum.example.org, not {PUBLIC_URL!r}"
    )
PUBLIC_HTTPS = _public.scheme == "https"

# The forum's own name: page titles, the header, emails, authenticator apps.
DJEMAA_SITE_NAME = " ".join(os.environ.get("DJEMAA_SITE_NAME", "Djemaa").split())
if not DJEMAA_SITE_NAME or len(DJEMAA_SITE_NAME) > 100:
    raise ImproperlyConfigured("DJEMAA_SITE_NAME must be a name of 1 to 100 characters")

# Absolute links come from PUBLIC_URL, never from the Host header; the header is only checked.
ALLOWED_HOSTS = [_public.hostname, "127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]
USE_X_FORWARDED_HOST = False

# HTTPS behaviour follows the public address's scheme.
SESSION_COOKIE_SECURE = PUBLIC_HTTPS
CSRF_COOKIE_SECURE = PUBLIC_HTTPS
LANGUAGE_COOKIE_SECURE = PUBLIC_HTTPS
SECURE_SSL_REDIRECT = PUBLIC_HTTPS
SECURE_HSTS_SECONDS = 31536000 if PUBLIC_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PUBLIC_HTTPS
SECURE_HSTS_PRELOAD = PUBLIC_HTTPS
# A TLS-terminating proxy in front (the usual deployment) says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PUBLIC_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "djemaa.core",
    "djemaa.accounts",
    "djemaa.forums",
    "djemaa.threads",
    "djemaa.posts",
    "djemaa.markup",
    "djemaa.permissions",
    "djemaa.interchange",
    "djemaa.moderation",
    "djemaa.search",
    # Two-factor sign-in: TOTP authenticator apps, and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "djemaa.core.middleware.ReaderPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["djemaa.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "forums:index"
LOGOUT_REDIRECT_URL = "forums:index"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "djemaa.core.context_processors.site",
                "djemaa.accounts.context_processors.ban",
            ],
        },
    }
]


# SQLite's page cache per connection, in KiB (its default is 2,000). Each request runs in a
# thread of its own with a connection of its own, so a server worker under load holds as many
# caches as requests in flight (8 a worker in `make bench`) and keeps 8 (djemaa/core/sqlite):
# at 2,000 KiB they took up to 32 MB a worker, and glibc kept the freed space, which made SQLite
# workers grow past the 150 MB budget (issue 4). Reads come from the OS's file cache, and any
# commit empties every other connection's cache in WAL mode anyway: 512 KiB cost no measurable
# CPU on member and cold guest pages, nor on `djemaa reindex` (a 200,000-post copy, side by
# side). `djemaa load` sets its own, larger cache while it writes.
SQLITE_PAGE_CACHE_KIB = 512


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url.startswith(("postgres://", "postgresql://")):
        # Under ASGI every request runs in a thread of its own, so connections kept by the
        # thread (CONN_MAX_AGE) would pile up: a pool per process lends them instead.
        db = dj_database_url.parse(url)
        db["ENGINE"] = "django.db.backends.postgresql"
        db.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8, "timeout": 20}
        return {"default": db}
    if url and not url.startswith("sqlite://"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// or sqlite:///, not {url.split(':')[0]}://"
        )
    path = urlsplit(url).path if url else str(DATA_DIR / "djemaa.sqlite3")
    if url and not path.strip("/"):
        raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path")
    return {
        "default": {
            "ENGINE": "djemaa.core.sqlite",
            "NAME": path,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock
                # at BEGIN so two writers queue on the busy timeout instead of failing mid-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    f"PRAGMA cache_size=-{SQLITE_PAGE_CACHE_KIB};"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # pytest-django appends a suffix per xdist worker; a file (not :memory:) lets
            # the concurrency tests open several connections to one test database.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "djemaa",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LANGUAGE_CODE = os.environ.get("DJEMAA_LANGUAGE", "fr")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"DJEMAA_LANGUAGE must be fr, ar or en, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "djemaa" / "locale"]
# Our own date formats (e.g. French "13 octobre 2021, 19h21") override Django's per language.
FORMAT_MODULE_PATH = ["djemaa.core.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("DJEMAA_TIME_ZONE", "Europe/Paris")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"DJEMAA_TIME_ZONE {TIME_ZONE!r} is not a known time zone") from exc

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Serve straight from the apps' static folders, so `serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email goes to the console (the server's log) unless DJEMAA_SMTP_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("DJEMAA_SMTP_HOST", "").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_USE_TLS = _env_flag("DJEMAA_SMTP_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = _env_flag("DJEMAA_SMTP_SSL")  # TLS from the first byte, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set DJEMAA_SMTP_TLS or DJEMAA_SMTP_SSL, not both")
EMAIL_PORT = int(
    os.environ.get("DJEMAA_SMTP_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
EMAIL_HOST_USER = os.environ.get("DJEMAA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJEMAA_SMTP_PASSWORD", "")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJEMAA_EMAIL_FROM", formataddr((DJEMAA_SITE_NAME, f"noreply@{_public.hostname}"))
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in confirmation and password-reset emails stop working after this many seconds.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("DJEMAA_EMAIL_LINK_SECONDS", str(3 * 24 * 3600)))

# Forum behaviour.
DJEMAA_POSTS_PER_PAGE = int(os.environ.get("DJEMAA_POSTS_PER_PAGE", "20"))
DJEMAA_THREADS_PER_PAGE = int(os.environ.get("DJEMAA_THREADS_PER_PAGE", "30"))
# An author's own edits this soon after posting leave no "last edited" note.
DJEMAA_EDIT_GRACE_SECONDS = int(os.environ.get("DJEMAA_EDIT_GRACE_SECONDS", "300"))
# New members (joined less than this many days ago) may post this often; 0 turns it off.
DJEMAA_NEW_MEMBER_DAYS = int(os.environ.get("DJEMAA_NEW_MEMBER_DAYS", "3"))
DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = int(os.environ.get("DJEMAA_NEW_MEMBER_POSTS_PER_HOUR", "10"))
# Members with fewer approved posts than this have new posts held for a moderator's approval;
# 0 turns it off.
DJEMAA_HOLD_FIRST_POSTS = int(os.environ.get("DJEMAA_HOLD_FIRST_POSTS", "0"))

# Speed (see djemaa/core/pagecache.py). Pages kept for guests, and members' thread pages kept
# per rights class, per server process; 0 turns the cache off. Thread pages are checked
# against the database on every hit; lists of threads and forums are kept this many seconds.
# View counters are written in batches this often.
DJEMAA_GUEST_CACHE_MB = int(os.environ.get("DJEMAA_GUEST_CACHE_MB", "32"))
DJEMAA_GUEST_LIST_SECONDS = float(os.environ.get("DJEMAA_GUEST_LIST_SECONDS", "5"))
DJEMAA_GUEST_THREAD_SECONDS = float(os.environ.get("DJEMAA_GUEST_THREAD_SECONDS", "60"))
DJEMAA_VIEW_COUNT_SECONDS = float(os.environ.get("DJEMAA_VIEW_COUNT_SECONDS", "10"))
# Rendered post blocks kept per server process, for everyone's thread pages (threads.blocks).
DJEMAA_POST_BLOCK_CACHE_MB = int(os.environ.get("DJEMAA_POST_BLOCK_CACHE_MB", "16"))

# Sign-in throttling: failures allowed per typed name and per address within the window.
DJEMAA_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("DJEMAA_LOGIN_FAILURES_PER_ACCOUNT", "5"))
DJEMAA_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("DJEMAA_LOGIN_FAILURES_PER_ADDRESS", "20"))
DJEMAA_LOGIN_WINDOW_SECONDS = int(os.environ.get("DJEMAA_LOGIN_WINDOW_SECONDS", "900"))
# Emails (confirmations, resets, address changes) one IP address may ask for per hour.
DJEMAA_EMAILS_PER_ADDRESS_PER_HOUR = int(os.environ.get("DJEMAA_EMAILS_PER_ADDRESS_PER_HOUR", "10"))
OTP_TOTP_ISSUER = DJEMAA_SITE_NAME

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
