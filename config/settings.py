"""Settings for Hài lòng, driven by the environment.

With no environment at all the site runs on the embedded default: SQLite, a local-memory cache and Celery in
eager mode, DEBUG on, so that `make run` needs no server. `DATABASE_URL` (PostgreSQL) and `REDIS_URL` switch to
the production stack. Django switches take the `DJANGO_` prefix; infrastructure variables do not.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
# The deployment's mode as configured. Kept apart from DEBUG, which test runners switch off: commands that must not
# run on a production server (load_demo) ask this.
PRODUCTION_MODE = not DEBUG

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    # A fixed key is acceptable only for the embedded development default.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The address printed under every QR code and encoded in it: citizens compare it with the URL their phone
# opens, so that a fake sticker can be spotted.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "survey",
    "feedback",
    "indices",
    "api",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "survey.twofactor.RequireTwoFactorMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # After the others, so that it sees the response of the view that refused a locked login (survey.login).
    "axes.middleware.AxesMiddleware",
    # Last, so that its 400 gets the headers of the middleware above (CSP, frame options) and the page its language.
    "config.middleware.ControlCharacterMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "config.context_processors.language_switch",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# No DATABASE_URL means SQLite next to the code: the embedded default must run with no server at all.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    # A database that does not answer must fail a request quickly, not hang a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # A streaming replica of the primary, read by reports, dashboards and exports only (config/db_router.py).
    # Writes, rollups and every other read stay on the primary; without it everything is on `default`.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True)
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # The test database of the replica is the primary's: a streaming replica cannot be created or written.
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # Behind PgBouncer in transaction mode (docs/deployment.md) a server connection serves one transaction, then
    # another client: no named cursor may outlive its transaction, and PgBouncer, not Django, keeps connections.
    # (Django already turns psycopg's prepared statements off.)
    if env_bool("DATABASE_PGBOUNCER", False):
        for database in DATABASES.values():
            database["DISABLE_SERVER_SIDE_CURSORS"] = True
            database["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }

DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "survey.User"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing its client objects (config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Short socket timeouts: when Redis is down, callers see an error at once and can degrade.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hailong"}}

# Sessions in the database only: Django's cached_db store fails when Redis is down (it writes the cache without a
# guard when loading), and staff must be able to work through a cache outage. One primary-key read per request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# django-axes first: it refuses a locked (username, address) pair before any password is checked, for every way
# in (staff login, admin login, API token), and counts every failure (survey.login).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese is the default language; message ids are written in Vietnamese so that the default pages never
# depend on a catalogue, and the English catalogue in locale/en translates them.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Dates and numbers the Vietnamese way in Vietnamese (28/6/2018, 75,3) and unambiguously in English: see
# config/formats/. Numbers are not grouped by default, because ids and years printed in pages and form values
# must never become "2.025"; templates group large counts explicitly with `|intcomma`.
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (PAKN attachments, generated posters and exports) are private: they are never served from a
# public URL, only through views that check who may see them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
FONT_DIR = BASE_DIR / "assets" / "fonts"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Hài lòng <no-reply@hailong.local>")

# Celery: over Redis when configured; otherwise tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# The REST API (api/). Every rate is "<requests>/<second|minute|hour|day>" and can be set from the environment as
# DJANGO_API_THROTTLE_<SCOPE> (e.g. DJANGO_API_THROTTLE_ANON=60/minute). Throttle counters live in the default
# cache, which is Redis in production, so every web server shares them.
API_THROTTLE_DEFAULTS = {
    "anon": "120/minute",
    "user": "2000/minute",
    "auth-token": "10/minute",
    # Public writes and lookups, per address. Citizens behind one carrier NAT share an address, so ratings are
    # generous; the integrity layers (survey/integrity.py) judge the votes themselves.
    "ratings": "60/minute",
    "feedback": "10/minute",
    "feedback-track": "30/minute",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens for integrators, first so that an anonymous caller gets 401 with `WWW-Authenticate: Token`;
        # the session for the browser (CSRF enforced on writes).
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AnonThrottle", "api.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        scope: os.environ.get("DJANGO_API_THROTTLE_" + scope.upper().replace("-", "_"), rate)
        for scope, rate in API_THROTTLE_DEFAULTS.items()
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    # JSON only: people explore the API in the Swagger UI at /api/docs/; DRF's browsable API relies on inline
    # scripts that the site's Content-Security-Policy forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hài lòng API",
    "DESCRIPTION": (
        "REST API of the citizen satisfaction survey and feedback platform. Authenticate with a token "
        "(`Authorization: Token <key>`, obtained from `/api/v1/auth/token/`; tokens expire and are listed and "
        "revoked at `/api/v1/auth/tokens/`) or, in a browser, with the staff "
        'session. Errors always have the shape `{"detail": ..., "errors": {field: [...]}}`; messages are in '
        "Vietnamese unless the request sends `Accept-Language: en`. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_address_rules",
    ],
    # Choice sets that share a field name get stable component names.
    "ENUM_NAME_OVERRIDES": {
        "RatingStatusEnum": "survey.models.Rating.Status",
        "CaseStatusEnum": "feedback.models.Status",
        "UnitKindEnum": "survey.models.Unit.Kind",
        "CaseEventKindEnum": "feedback.models.CaseEvent.Kind",
        "FigureStatusEnum": "indices.models.IndexSnapshot.Status",
        "DeliveryStatusEnum": "feedback.models.Delivery.Status",
        "RatingImportStatusEnum": "survey.models.RatingImport.Status",
    },
}

# PAKN (feedback): attachment limits, the tracking-code lookup throttle, reminders, the approval of answers, and
# the deadline job.
PAKN_MAX_ATTACHMENTS = int(os.environ.get("PAKN_MAX_ATTACHMENTS", 3))
PAKN_MAX_ATTACHMENT_BYTES = int(os.environ.get("PAKN_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024))
PAKN_MAX_IMAGE_PIXELS = int(os.environ.get("PAKN_MAX_IMAGE_PIXELS", 16_000_000))
PAKN_LOOKUP_LIMIT = int(os.environ.get("PAKN_LOOKUP_LIMIT", 20))
# A request body declared larger than this is refused from its Content-Length, unread (413). Empty: every
# attachment a complaint may carry plus 1 MB (config.middleware.max_request_body_bytes).
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES") or 0) or None
PAKN_REMINDER_WORKING_DAYS = int(os.environ.get("PAKN_REMINDER_WORKING_DAYS", 1))
# An officer's answer is published only once a unit lead (or provincial staff) approves it; 0 publishes at once.
PAKN_ANSWER_APPROVAL = env_bool("PAKN_ANSWER_APPROVAL", True)
CELERY_BEAT_SCHEDULE["process-pakn-deadlines"] = {
    "task": "feedback.tasks.process_deadlines_task",
    "schedule": 60 * 60,
}

# Notifications to citizens (feedback.channels): one backend per channel, "mail" (email: Django's mail, console
# unless DJANGO_EMAIL_BACKEND says SMTP), "console", "file" (JSON lines in NOTIFY_OUTBOX_DIR), "http" (SMS gateway,
# Zalo ZNS) or "off". Defaults need no server. Failed sends are retried NOTIFY_MAX_ATTEMPTS times in all, the delay
# doubling from NOTIFY_RETRY_SECONDS.
NOTIFY_EMAIL_BACKEND = os.environ.get("NOTIFY_EMAIL_BACKEND", "mail")
NOTIFY_SMS_BACKEND = os.environ.get("NOTIFY_SMS_BACKEND", "console")
NOTIFY_ZALO_BACKEND = os.environ.get("NOTIFY_ZALO_BACKEND", "off")
NOTIFY_OUTBOX_DIR = os.environ.get("NOTIFY_OUTBOX_DIR", str(BASE_DIR / "var" / "outbox"))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 6))
NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", 60))
NOTIFY_HTTP_TIMEOUT = float(os.environ.get("NOTIFY_HTTP_TIMEOUT", 5))
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")
ZNS_API_URL = os.environ.get("ZNS_API_URL", "https://business.openapi.zalo.me/message/template")
ZNS_ACCESS_TOKEN = os.environ.get("ZNS_ACCESS_TOKEN", "")
ZNS_TEMPLATE_ID = os.environ.get("ZNS_TEMPLATE_ID", "")
# Days after the answer is published before an unrated answer brings the citizen a request to rate it.
PAKN_RATE_REQUEST_DAYS = int(os.environ.get("PAKN_RATE_REQUEST_DAYS", 3))
# "Send me my code" on the tracking page: requests per client and per contact within an hour.
PAKN_CODE_REQUEST_LIMIT = int(os.environ.get("PAKN_CODE_REQUEST_LIMIT", 3))
CELERY_BEAT_SCHEDULE["request-answer-ratings"] = {
    "task": "feedback.tasks.request_ratings_task",
    "schedule": 60 * 60,
}
CELERY_BEAT_SCHEDULE["resend-notifications"] = {
    "task": "feedback.tasks.resend_due_deliveries_task",
    "schedule": 60,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per cache outage rather than a traceback per request (config/outages.py).
    "filters": {"cache_outage": {"()": "config.outages.CacheOutageFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["cache_outage"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Transport and browser security. Off in the embedded default (plain http on 127.0.0.1); on by default whenever
# DEBUG is off, so that `manage.py check --deploy` passes with the production environment.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes /healthz over plain http inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's), else it can be forged.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of the app; 0 means REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", 0))
# DRF throttles identify clients the same way (without it they trust the whole, forgeable X-Forwarded-For).
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on every response by config.middleware.ContentSecurityPolicyMiddleware, in DEBUG too, so that the test
# suite proves every page works under it. Only the site's own assets; no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

# Staff login lockout (survey.login, over django-axes): every way in (staff login, admin login, API token) counts
# its failures in the database per (username, address) pair. LOGIN_FAILURE_LIMIT failures of one pair lock that
# pair for LOGIN_LOCKOUT_SECONDS after its last failure; the same user from another address is not locked. Beyond
# the pair, failures only slow down: LOGIN_IP_FAILURE_LIMIT failures from one address (any usernames), or
# LOGIN_USER_FAILURE_LIMIT failures for one username (any addresses), within LOGIN_LOCKOUT_SECONDS allow that
# address, or that username, one attempt per LOGIN_SLOWDOWN_SECONDS. The account's owner is told by email.
LOGIN_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", 5))
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_IP_FAILURE_LIMIT", 30))
LOGIN_USER_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_USER_FAILURE_LIMIT", 20))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("DJANGO_LOGIN_LOCKOUT_SECONDS", 15 * 60))
LOGIN_SLOWDOWN_SECONDS = int(os.environ.get("DJANGO_LOGIN_SLOWDOWN_SECONDS", 10))
AXES_FAILURE_LIMIT = "survey.login.failure_limit"
AXES_COOLOFF_TIME = "survey.login.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "survey.login.lockout_username"
AXES_CLIENT_IP_CALLABLE = "survey.integrity.client_ip"
AXES_LOCKOUT_CALLABLE = "survey.login.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A refused attempt during a lock does not extend it: the lock ends LOGIN_LOCKOUT_SECONDS after the last failure
# that was checked against the password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No log of every successful login, and no form data kept with the failures: only the counts that locks need.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The admin of the locks is survey.account_admin's (audited lifts; no editable logs).
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]

# API tokens (django-rest-knox, model survey.ApiToken): stored as SHA-512 digests, several per user with a name,
# each expiring API_TOKEN_TTL_DAYS after it is issued; revoked when the password changes.
API_TOKEN_TTL_DAYS = int(os.environ.get("DJANGO_API_TOKEN_TTL_DAYS", 90))
KNOX_TOKEN_MODEL = "survey.ApiToken"
# knox's own migrations create its default token table even when the model is swapped; nothing uses it, and its
# foreign key to the users would only get in the way (a database flush, deleting accounts). No migrations for knox.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Token", "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_TTL_DAYS)}

# Two-factor authentication (django-otp, TOTP): optional for every staff account; with DJANGO_REQUIRE_2FA on,
# provincial staff and administrators must enrol before they can use any staff page or obtain an API token.
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("DJANGO_OTP_ISSUER", "Hài lòng")

# Rating integrity (survey/integrity.py): the periodic jobs below are also management commands.
CELERY_BEAT_SCHEDULE.update(
    {
        "refresh-counter-baselines": {
            "task": "survey.tasks.refresh_counter_baselines_task",
            "schedule": crontab(hour=1, minute=20),
        },
        # Ratings accepted unassessed while Redis was down are judged once it is back (survey/reassessment.py).
        "reassess-degraded-ratings": {
            "task": "survey.tasks.reassess_degraded_ratings_task",
            "schedule": 5 * 60,
        },
    }
)

# Personal data (feedback/retention.py; the defaults and their reasons are in docs/privacy.md). Days are counted
# from the end of the case (closed or rejected) for contacts and attachments, from the rating for its IP hash.
PRIVACY_CONTACT_RETENTION_DAYS = int(os.environ.get("PRIVACY_CONTACT_RETENTION_DAYS", 90))
PRIVACY_ATTACHMENT_RETENTION_DAYS = int(os.environ.get("PRIVACY_ATTACHMENT_RETENTION_DAYS", 365))
PRIVACY_RATING_IP_HASH_DAYS = int(os.environ.get("PRIVACY_RATING_IP_HASH_DAYS", 7))
# A citizen's request to see or erase their contact details must be handled within this many hours.
PRIVACY_REQUEST_DEADLINE_HOURS = int(os.environ.get("PRIVACY_REQUEST_DEADLINE_HOURS", 72))
# PAKN submissions accepted per client address within the window; further ones answer 429 until it passes.
PAKN_SUBMIT_LIMIT = int(os.environ.get("PAKN_SUBMIT_LIMIT", 10))
PAKN_SUBMIT_WINDOW_SECONDS = int(os.environ.get("PAKN_SUBMIT_WINDOW_SECONDS", 60 * 60))
CELERY_BEAT_SCHEDULE["purge-personal-data"] = {
    "task": "feedback.tasks.purge_personal_data_task",
    "schedule": crontab(hour=2, minute=30),
}
# A citizen whose form is too old, or whose browser blocks cookies, gets a friendly Vietnamese page.
CSRF_FAILURE_VIEW = "survey.views.csrf_failure"
# Robustness when Redis is down (tests/test_faults.py). Nothing reads task results (services write their outcome
# to the database), so none are stored: sending a task then never waits on the result store. Publishing gives up
# after about a second instead of retrying for long, so that a request that enqueues work after its commit
# answers at once; `config.celery.enqueue_on_commit` logs the failure and the committed data stands.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# Indices (issue 6): rollups are refreshed and current snapshots recomputed every minute, so figures are at most
# about 60 seconds stale when a worker and beat run. The overlap margin catches rating transactions that commit
# after a refresh has started; the minimum sample applies when the dossiers handled are unknown.
CELERY_BEAT_SCHEDULE["refresh-indices"] = {
    "task": "indices.tasks.refresh_indices_task",
    "schedule": float(os.environ.get("INDICES_REFRESH_SECONDS", 60)),
}
INDICES_ROLLUP_OVERLAP_SECONDS = int(os.environ.get("INDICES_ROLLUP_OVERLAP_SECONDS", 300))
INDICES_REFRESH_SECONDS = float(os.environ.get("INDICES_REFRESH_SECONDS", 60))
# Without a broker there is no beat: the dashboards then refresh stale figures when they are read (indices.live).
INDICES_REFRESH_ON_READ = os.environ.get("INDICES_REFRESH_ON_READ", "" if REDIS_URL else "1") not in ("", "0")
INDICES_MIN_SAMPLE = int(os.environ.get("INDICES_MIN_SAMPLE", 30))
