"""Settings for ldnref, read from environment variables.

Every variable is optional on a development machine. A malformed value stops start-up with
an ImproperlyConfigured error that names the variable.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}")


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name} must be a comma-separated list with no empty items")
    return items


def env_database(name, default):
    value = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {exc}") from None
    if config["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(f"{name} must be a sqlite:// or postgres:// URL")
    return config


def env_cache(name, default="locmem://"):
    """locmem:// (one process), redis://host:port/db (shared), or dummy:// (no caching)."""
    value = os.environ.get(name) or default
    scheme = urlsplit(value).scheme
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    raise ImproperlyConfigured(f"{name} must start with locmem://, redis://, rediss:// or dummy://")


def env_int(name, default, minimum=1):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}")
    return number


# Top-level paths the public site uses: the admin may not take one of them.
PUBLIC_PATHS = (
    "api",
    "claims",
    "conditions",
    "healthz",
    "ldn",
    "mechanisms",
    "methods",
    "readyz",
    "sources",
    "static",
    "studies",
)


def env_admin_path(name, default="admin/"):
    """The admin's URL path such as "editors/" or "staff/ldnref/": slug segments, one trailing /.

    Leading and trailing slashes are optional in the variable.
    """
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    segments = value.strip().strip("/").split("/")
    if not all(re.fullmatch(r"[A-Za-z0-9_-]+", segment) for segment in segments):
        raise ImproperlyConfigured(
            f"{name} must be a URL path of letters, digits, - and _ segments such as "
            f"'editors/', got {value!r}"
        )
    if segments[0] in PUBLIC_PATHS:
        raise ImproperlyConfigured(
            f"{name} must not start with a path the public site uses ({segments[0]}/)"
        )
    return "/".join(segments) + "/"


# ---------------------------------------------------------------- core

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 (only ever used with DEBUG on)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# ---------------------------------------------------------------- apps

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",  # its sitemap.xml template (ldnref/crawling.py)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us: no CDN
    "simple_history",
    "evidence",
    "conditions",
    "revisions",
    "ldnref",  # publishing (ldnref.publish) and `manage.py publish`
]

MIDDLEWARE = [
    # First: a request id, and one JSON log line per request when the answer leaves.
    "ldnref.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so static files get it too.
    "ldnref.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs each history row with the signed-in editor who saved it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ldnref.middleware.ContentSecurityPolicyMiddleware",
    # Public pages answer GET and HEAD only: 405 before the CSRF check, inside the headers.
    "ldnref.middleware.SafeMethodsMiddleware",
    # After auth (it must know who is signed in), inside the security and CSP middleware (a
    # cached answer gets their headers again): conditional GETs and the anonymous page cache.
    "ldnref.pagecache.PageCacheMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ldnref.urls"
WSGI_APPLICATION = "ldnref.wsgi.application"

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
            # Our filters (footnotes, safe_url) in every template without {% load %}.
            "builtins": ["evidence.templatetags.ldnref"],
        },
    },
]

# ---------------------------------------------------------------- data

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": env_cache("CACHE_URL")}
# Whole anonymous pages and API answers (ldnref.pagecache): which cache, how long it keeps an
# answer (its key holds the content version, so an edit never waits for this), and the
# Cache-Control a reverse proxy or CDN gets.
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 3600)
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 300, minimum=0)
PAGE_CACHE_STALE_WHILE_REVALIDATE = env_int("PAGE_CACHE_STALE_WHILE_REVALIDATE", 60, minimum=0)
# Build on publish (ldnref.publish): when the content version moves, the process that moved
# it builds every public answer for each origin readers use (scheme://host[:port], as Django
# builds it from the request) before readers are served the new version. By default one
# http origin per ALLOWED_HOSTS entry on PORT (8000), e.g. http://localhost:8000; behind a
# proxy set it, e.g. PUBLISH_ORIGINS=https://ldnref.example.org.
# On by default only with a shared (Redis) page cache: a locmem cache lives and dies with the
# one process, so a management command publishing into it would build pages no reader gets.
PUBLISH_ON_CHANGE = env_bool(
    "PUBLISH_ON_CHANGE", CACHES[PAGE_CACHE_ALIAS]["BACKEND"].endswith("RedisCache")
)
PUBLISH_ORIGINS = env_list(
    "PUBLISH_ORIGINS",
    default=[
        f"http://{host}:{os.environ.get('PORT') or '8000'}"
        for host in ALLOWED_HOSTS
        if host and not host.startswith(".") and host != "*"
    ],
)
# Only addresses starting with one of these are built on publish (all when empty); the rest
# are built by their first reader after a change, e.g. /conditions/,/api/v1/conditions/ on a
# site too large to rebuild whole on every approval.
PUBLISH_PREFIXES = env_list("PUBLISH_PREFIXES", default=[])
# Seconds a published answer is kept (PAGE_CACHE_TIMEOUT is for answers built on a miss):
# long enough that readers never find it gone while its version is current.
PUBLISH_TIMEOUT = env_int("PUBLISH_TIMEOUT", 7 * 24 * 3600)
# Readers check the content version at most this often per process (a hit in between
# touches no database); if the publisher has not published a newer version this long after
# the change, readers serve it anyway, building pages on a miss.
PAGE_VERSION_CHECK_SECONDS = env_int("PAGE_VERSION_CHECK_SECONDS", 1, minimum=0)
PUBLISH_GRACE_SECONDS = env_int("PUBLISH_GRACE_SECONDS", 120)
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# The seed articles' text files: quotes are checked against them when saved (evidence.validation)
# and by check_content and verify_quotes.
SEEDS_DIR = Path(os.environ.get("SEEDS_DIR") or BASE_DIR.parent / "shared" / "seeds")

# ---------------------------------------------------------------- auth

# Only staff sign in, and only to the admin (at ADMIN_PATH).
ADMIN_PATH = env_admin_path("ADMIN_PATH")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes counts failed logins per username and, separately, per address: LOGIN_FAILURE_LIMIT
# failures for one username (from anywhere) or from one address (whatever usernames it tries)
# lock that username or address out until LOGIN_COOLOFF_MINUTES have passed since the failure
# that reached the limit. Attempts while locked out are refused and not counted, so retrying
# (even with the right password) never extends the cool-off. The lockout page (429) says when
# to try again (ldnref.lockout).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "ldnref.lockout.lockout_response"

# The review desk counts an approved item as due for re-review once its last review is
# older than this many months (or it has none on record).
REREVIEW_MONTHS = env_int("REREVIEW_MONTHS", 12)

# A session ends after SESSION_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ---------------------------------------------------------------- i18n

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# collectstatic (run by `make db`) writes each file under a name with a hash of its content
# (site.1a2b3c.css) and a gzip copy beside it. With DEBUG off, {% static %} links those names
# and WhiteNoise serves them compressed with a far-future Cache-Control; a changed file gets
# a new name. With DEBUG on, {% static %} links the plain names and WhiteNoise serves them from
# static/ as they are edited, so development needs no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------- security

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# HTTPS. In production (DEBUG off) the defaults are the safe ones: redirect plain HTTP to HTTPS
# and send HSTS for a year, subdomains included, preload-ready. Serving plain HTTP on purpose
# (make serve on localhost) takes SECURE_SSL_REDIRECT=0 and HSTS_SECONDS=0.
# SECURE_PROXY_SSL_HEADER names the header a TLS-terminating reverse proxy sets to "https"
# (e.g. X-Forwarded-Proto); unset by default, since trusting it without such a proxy in front
# would let any client claim HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health probes often speak plain HTTP to the server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=True)
_proxy_ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    if not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_ssl_header):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, "
            f"got {_proxy_ssl_header!r}"
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")

# ---------------------------------------------------------------- logging

# One JSON object per line on stderr (ldnref.logs): a line per request with its id, path,
# status and duration, the traceback on a 5xx. LOG_LEVEL: DEBUG, INFO (default), WARNING, ERROR.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper() or "INFO"
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ldnref.logs.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "json",
        },
        # A logger with no handler at all falls back to logging.lastResort (plain text).
        "discard": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # ldnref.request's line per request says the same, with the request id: log it once.
        "django.request": {"handlers": ["discard"], "propagate": False},
        # runserver's own access line, likewise.
        "django.server": {"handlers": ["discard"], "propagate": False},
        # Failed logins and lockouts (WARNING) stay; its start-up banner (INFO) goes.
        "axes": {"level": "WARNING"},
    },
}

# ---------------------------------------------------------------- benchmark

# Only bench/http_load.py sets it: a saved page that /__bench__/floor/ returns from memory,
# the framework floor the benchmark compares pages with. Empty: no such route.
BENCH_FLOOR_FILE = os.environ.get("BENCH_FLOOR_FILE", "")

# ---------------------------------------------------------------- API

# Read-only and public: no authentication, JSON only, strict parameters (ldnref/api/).
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "ldnref.api.params.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ldnref.api.params.handle_exception",
    "DEFAULT_THROTTLE_CLASSES": ["ldnref.api.throttling.FairUse"],
    # Fair use, per client address (README, "API"); a client over it gets 429 and Retry-After.
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ldnref API",
    "DESCRIPTION": (
        "Read-only, public: the graded evidence the ldnref pages show, as data. Only "
        "published content. GET, HEAD and OPTIONS only."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ldnref.api.schema.error_responses",
    ],
}

# The data is public: any origin may GET it, without credentials.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Retry-After")
