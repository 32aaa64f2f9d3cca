"""Settings for the portal, read from the environment.

PORTAL_ENV selects the profile:

- ``development`` (default): SQLite file under ``var/``, no broker (Celery tasks run in-process after
  commit), e-mail printed to the console, a fixed development secret key.
- ``test``: like development but with fast password hashing; pytest sets it.
- ``production``: every secret must come from the environment; nothing insecure is defaulted.

See README.md for the full list of variables.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

PORTAL_ENV = env.str("PORTAL_ENV", default="development")
if PORTAL_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"PORTAL_ENV must be development, test or production, not {PORTAL_ENV!r}")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env.bool("DEBUG", default=PORTAL_ENV == "development")

if PRODUCTION:
    # No default: a production process without its own secret must not start.
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-secret-key-not-for-production-use")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Master keys that seal bids (procurement/sealing.py): "keyid:base64url-32-bytes", comma-separated, the
# first seals and the rest only open older bids. They never go in the database. Parsed on first use.
# A fixed, public key for development and tests: whatever it seals is readable by anyone.
DEVELOPMENT_BID_SEALING_KEY = "dev-insecure:ZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQhISE="
if PRODUCTION:
    # No default: a production process that cannot seal bids must not start.
    BID_SEALING_KEYS = env.str("BID_SEALING_KEYS")
    if DEVELOPMENT_BID_SEALING_KEY.partition(":")[2].rstrip("=") in BID_SEALING_KEYS:
        raise ImproperlyConfigured("BID_SEALING_KEYS contains the public development key; generate a real one")
else:
    BID_SEALING_KEYS = env.str("BID_SEALING_KEYS", default=DEVELOPMENT_BID_SEALING_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "portal.core",
    "portal.accounts",
    "portal.audit",
    "portal.notifications",
    "portal.web",
    "portal.api",
    "smeregistry",
    "procurement",
    "tradedocs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.api.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.web.middleware.LanguageMiddleware",
    "portal.accounts.middleware.ActiveOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must be last: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.web.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# The embedded default is a SQLite file so that the portal runs with no server; production and CI
# use PostgreSQL through DATABASE_URL (postgres://user@host:5432/name).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Let concurrent writers (web, scheduler) wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and authentication ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PORTAL_ENV == "test":
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Failed-login throttling (django-axes): lock a username from an address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# API tokens: the plain key is shown once; only its SHA-256 digest is stored.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=365)

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Lima"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if not PRODUCTION:
    # Serve static files straight from the source folders (no collectstatic needed to develop or test).
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
    STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# Requests larger than this are refused with 413 before any view reads them.
PORTAL_MAX_BODY_BYTES = env.int("PORTAL_MAX_BODY_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL_MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail ---------------------------------------------------------------------------------------
# EMAIL_URL examples: consolemail://, filemail:///path/to/dir, smtp+tls://user:password@host:587
EMAIL_CONFIG = env.email_url("EMAIL_URL") if PRODUCTION else env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if env.str("EMAIL_FILE_PATH", default=""):
    # Write each e-mail to a file in this folder instead of sending it (demos, tests of real workers).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal de Compras <no-responder@portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# A demo runs the portal's clock this many times faster than real time (portal.core.clock).
PORTAL_CLOCK_SPEED = env.float("PORTAL_CLOCK_SPEED", default=1.0)
if PORTAL_CLOCK_SPEED < 1 or (PRODUCTION and PORTAL_CLOCK_SPEED != 1):
    raise ImproperlyConfigured("PORTAL_CLOCK_SPEED must be 1 in production and 1 or more elsewhere")

# --- Celery ---------------------------------------------------------------------------------------
# Without a broker, tasks run in-process right after the transaction that scheduled them commits.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# A task is acknowledged after it ran, so a worker killed mid-task leaves it for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When the broker is down, publishing must fail fast: the outbox row stays pending and the sweeper
# re-enqueues it later. A request must never hang on the broker.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
# After a failed publish, web processes skip the broker this long and leave rows to the sweeper.
NOTIFICATION_BROKER_BACKOFF = env.float("NOTIFICATION_BROKER_BACKOFF", default=5.0)
NOTIFICATION_SWEEP_SECONDS = env.float("NOTIFICATION_SWEEP_SECONDS", default=60.0)
# How often the chronograph looks for tenders whose deadline has passed.
CHRONOGRAPH_SECONDS = env.float("CHRONOGRAPH_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    "procurement-chronograph": {
        "task": "procurement.tasks.chronograph_sweep",
        "schedule": CHRONOGRAPH_SECONDS,
    },
    "procurement-deadline-reminders": {
        "task": "procurement.tasks.deadline_reminders",
        "schedule": crontab(minute=15),
    },
    "notifications-sweep": {
        "task": "portal.notifications.tasks.sweep_notifications",
        "schedule": NOTIFICATION_SWEEP_SECONDS,
    },
    "registry-expire": {
        "task": "smeregistry.tasks.expire_registrations",
        "schedule": crontab(hour=0, minute=5),
    },
    "registry-expiry-reminders": {
        "task": "smeregistry.tasks.send_expiry_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "tradedocs-validate-waiting": {
        "task": "tradedocs.tasks.validate_waiting_documents",
        "schedule": NOTIFICATION_SWEEP_SECONDS,
    },
    "factoring-daily": {
        "task": "tradedocs.factoring.tasks.factoring_daily",
        "schedule": crontab(hour=0, minute=20),
    },
    "notifications-daily-digest": {
        "task": "portal.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Webhooks: answers slower than this count as a transient failure (retried with backoff).
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# Production refuses plain http and addresses that are not public (loopback, private networks, link-
# local cloud metadata), so that a registered URL cannot make the portal call its own network.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=PRODUCTION)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=not PRODUCTION)

# Notification delivery: attempts and backoff for transient errors (seconds, before jitter).
# Rows per delivery task: one broker message and one mail-server session serve a whole batch.
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=50)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_BACKOFF_BASE = env.float("NOTIFICATION_BACKOFF_BASE", default=30.0)
NOTIFICATION_BACKOFF_MAX = env.float("NOTIFICATION_BACKOFF_MAX", default=3600.0)
# A row left "sending" longer than this (a worker died mid-delivery) is handed out again.
NOTIFICATION_SENDING_LEASE = env.float("NOTIFICATION_SENDING_LEASE", default=600.0)
# A pending row older than this whose task never ran (broker outage) is re-enqueued by the sweeper.
NOTIFICATION_STRANDED_AFTER = env.float("NOTIFICATION_STRANDED_AFTER", default=60.0)

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.problems.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "portal.api.throttling.PrincipalRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="6000/minute"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal de Compras Públicas — API",
    "DESCRIPTION": "Procurement, supplier registry and trade documents. Errors are application/problem+json.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shared by several serializers, or field names (status, kind) that several resources
    # use with different choices: name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "TrafficLightEnum": ["green", "amber", "red", "none"],
        "SupplierStatusEnum": "smeregistry.enums.SupplierStatus",
        "ProcurementObjectEnum": "procurement.enums.ProcurementObject",
        "PlanStatusEnum": "procurement.enums.PlanStatus",
        "TenderStatusEnum": "procurement.enums.TenderStatus",
        "LotStatusEnum": "procurement.enums.LotStatus",
        "DocumentKindEnum": "procurement.enums.DocumentKind",
        "QuestionKindEnum": "procurement.models.QuestionKind",
        "BidStatusEnum": "procurement.models.BidStatus",
    },
}

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", True) else None
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    # Only the agency knows whether every subdomain is on HTTPS: opt in explicitly.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "portal.core.logging.StructuredFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "WARNING" if PORTAL_ENV == "test" else "INFO"},
    },
}

# --- Open data (OCDS 1.1) -----------------------------------------------------------------------
# The publisher's prefix, registered with the Open Contracting Partnership ("ocds-" and six
# characters); every ocid is this prefix, a dash and the tender's id. Never change it once published.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-pe0001")
OCDS_PUBLISHER_NAME = env.str("OCDS_PUBLISHER_NAME", default="Portal de Compras Públicas")
OCDS_PUBLISHER_URI = env.str("OCDS_PUBLISHER_URI", default=PORTAL_BASE_URL)
OCDS_LICENSE = env.str("OCDS_LICENSE", default="https://creativecommons.org/licenses/by/4.0/")
