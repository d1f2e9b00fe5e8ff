"""Settings, read from the environment.

With nothing set, `runserver` just works: SQLite under var/, outputs in a local
directory, Celery tasks run in-process, DEBUG off with signing and encryption
keys generated once per install under var/. Every variable is listed in
.env.example and in the README's configuration table; docs/security.md says
which ones a production deployment must set.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HITL_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """Return an env variable; NAME_FILE (a path to a file) wins, for secrets."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (os.environ.get(name) or default).strip().lower()
    aliases = {"1": "true", "yes": "true", "on": "true", "0": "false", "no": "false", "off": "false"}
    value = aliases.get(raw, raw)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


# The hot-path statements of flows.loops.hot_sql are prepared once per connection. "auto": unless a
# pooler or proxy is detected between this process and PostgreSQL (PgBouncer before 1.21 in
# transaction mode loses them between transactions); "true": always (PgBouncer >= 1.21 with
# max_prepared_statements > 0 keeps them); "false": never.
HITL_DB_PREPARED_STATEMENTS = env_choice("HITL_DB_PREPARED_STATEMENTS", "auto", ("auto", "true", "false"))


def database_from_url(url: str) -> dict:
    """Translate DATABASE_URL (sqlite:///path or postgres://...) to Django's dict."""
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'hitl.sqlite3'}"
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) if parsed.path not in ("", "/") else ":memory:",
            # IMMEDIATE makes writers take the lock up front, so concurrent
            # claims serialize instead of failing with "database is locked".
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "hitl.kernel.db.postgresql",  # Django's, with a cheaper health check
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("HITL_DB_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": env_bool("HITL_DB_HEALTH_CHECKS", True),
            # Lets flows.loops.hot_sql prepare its statements (Django's own client-side-bound queries never
            # are). With "auto", hitl.kernel.db.postgresql turns them off per connection when it finds a
            # pooler in between (see HITL_DB_PREPARED_STATEMENTS above).
            "OPTIONS": {"prepare_threshold": None if HITL_DB_PREPARED_STATEMENTS == "false" else 5},
        }
    raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not supported (sqlite, postgres)")


def per_install_secret(name: str) -> str:
    """Return the random secret kept in VAR_DIR/<name>, creating it (mode 0600) on first use.

    For a single-machine install that sets no key (the embedded default, `make demo`): every
    process on the machine shares it, and it survives restarts. Several hosts must set the key.
    """
    path = VAR_DIR / name
    if not path.exists():
        import secrets

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first; read theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50) + "\n")
    return path.read_text().strip()


# Off unless asked for: with DEBUG on, a 404 lists the URLconf and a 500 shows a traceback with settings.
DEBUG = env_bool("DJANGO_DEBUG", False)
# Keys published in this repository: anyone could sign sessions and object URLs with them.
PUBLISHED_SECRET_KEYS = ("insecure-dev-key-change-me-in-production-0123456789", "change-me-to-a-long-random-string")
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Set when the deployment chose its keys (production); unset, keys are kept per install under VAR_DIR.
HITL_KEYS_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = PUBLISHED_SECRET_KEYS[0] if DEBUG else per_install_secret("secret_key")
if not DEBUG and SECRET_KEY in PUBLISHED_SECRET_KEYS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is set to the development key published with hitl, and DJANGO_DEBUG is off. "
        "Set DJANGO_SECRET_KEY to a long random string, e.g. "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`, or leave it unset on a '
        "single machine to use a per-install key kept in HITL_VAR_DIR/secret_key."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "workforce",
    "flows",
    "review_ui",
    "inference_adapters",
    "console",
    "hitl.kernel.coordination",
    "agents",
    "notifications",
]

MIDDLEWARE = [
    "hitl.kernel.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ (the crowd-elements bundle) under gunicorn, without a proxy.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A domain error escaping a portal page: a page with the error's status (the APIs render their own).
    "review_ui.errors.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "hitl.urls"
WSGI_APPLICATION = "hitl.wsgi.application"
ASGI_APPLICATION = "hitl.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Portal templates first, so they override allauth's (allauth is listed earlier in INSTALLED_APPS).
        "DIRS": [BASE_DIR / "review_ui" / "templates"],
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

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
# Find static files in the apps directly, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True

# The AWS APIs: botocore never sends a trailing slash to JSON 1.1 endpoints,
# and InputContent may be 3 MiB of JSON that escaping can triple.
APPEND_SLASH = False
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HITL_MAX_REQUEST_BYTES", 16 * 1024 * 1024)

# --- Product settings -------------------------------------------------------
HITL_REGION = env_str("HITL_REGION", "us-east-1")
# Path prefix under which the AWS APIs are served, e.g. "/a2i" (no trailing slash).
HITL_API_PREFIX = env_str("HITL_API_PREFIX", "").rstrip("/")
HITL_SIGV4_MAX_SKEW_SECONDS = env_int("HITL_SIGV4_MAX_SKEW_SECONDS", 15 * 60)
# Keys that encrypt access-key and OIDC client secrets at rest (workforce.secrets): comma-separated,
# newest first (it encrypts; all decrypt), separate from SECRET_KEY so either rotates alone.
HITL_SECRET_ENCRYPTION_KEY = env_str("HITL_SECRET_ENCRYPTION_KEY")
if not HITL_SECRET_ENCRYPTION_KEY:
    if HITL_KEYS_FROM_ENVIRONMENT and not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "HITL_SECRET_ENCRYPTION_KEY is not set, and DJANGO_SECRET_KEY is: set HITL_SECRET_ENCRYPTION_KEY "
            "to its own long random string, so rotating DJANGO_SECRET_KEY leaves stored secrets readable. "
            "Upgrading from a version that encrypted with DJANGO_SECRET_KEY: set "
            "HITL_SECRET_ENCRYPTION_KEY=<new key>,<current DJANGO_SECRET_KEY>, then run "
            "`manage.py reencrypt_secrets` (docs/security.md)."
        )
    HITL_SECRET_ENCRYPTION_KEY = SECRET_KEY if DEBUG else per_install_secret("encryption_key")
if not DEBUG and "change-me-to-another-long-random-string" in HITL_SECRET_ENCRYPTION_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "HITL_SECRET_ENCRYPTION_KEY is the placeholder of .env.example: set it to a long random string."
    )
HITL_OUTPUT_BACKEND = env_str("HITL_OUTPUT_BACKEND", "local")
HITL_LOCAL_STORE_DIR = Path(env_str("HITL_LOCAL_STORE_DIR", str(VAR_DIR / "store")))
# External base URL for absolute links; empty = the request's own scheme and host (hitl.kernel.public_url).
HITL_PUBLIC_URL = env_str("HITL_PUBLIC_URL", "")
# Behind a reverse proxy: take the host and scheme from X-Forwarded-Host / X-Forwarded-Proto.
HITL_TRUST_PROXY_HEADERS = env_bool("HITL_TRUST_PROXY_HEADERS", False)
if HITL_TRUST_PROXY_HEADERS:
    USE_X_FORWARDED_HOST = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Let the Textract/Rekognition adapters call the real services (boto3, standard AWS credentials)
# when a request arrives without the service's response.
HITL_ADAPTER_PROXY = env_bool("HITL_ADAPTER_PROXY", False)
# Access keys, worker tokens, flow definitions and team memberships are cached per web process
# for this long (hitl.kernel.process_cache): a change made in another process takes effect within it.
HITL_PROCESS_CACHE_SECONDS = env_float("HITL_PROCESS_CACHE_SECONDS", 5.0)
# Start, claim and submit as single PostgreSQL statements (flows.loops.hot_sql); false runs the ORM writers
# instead (the parity tests switch between the two; both write the same rows).
HITL_HOT_SQL = env_bool("HITL_HOT_SQL", True)
# 0 = unlimited. When set, StartHumanLoop answers ServiceQuotaExceededException past it.
HITL_ACTIVE_LOOP_QUOTA = env_int("HITL_ACTIVE_LOOP_QUOTA", 0)
HITL_FLOW_DEFINITION_QUOTA = env_int("HITL_FLOW_DEFINITION_QUOTA", 1000)
HITL_HUMAN_TASK_UI_QUOTA = env_int("HITL_HUMAN_TASK_UI_QUOTA", 1000)
HITL_WORKTEAM_QUOTA = env_int("HITL_WORKTEAM_QUOTA", 25)
HITL_WEBHOOK_URLS = env_list("HITL_WEBHOOK_URLS", [])
HITL_WEBHOOK_SECRET = env_str("HITL_WEBHOOK_SECRET", "")
# A webhook delivery is given up (state failed, kept in the log) after this many attempts (~10 h of backoff).
HITL_WEBHOOK_MAX_ATTEMPTS = env_int("HITL_WEBHOOK_MAX_ATTEMPTS", 20)
# Outbox rows (output writes, webhook deliveries) carry the time by which the sweep takes them over:
# handing a row to a Celery message (on commit, on a retry, by the sweep) pushes it this far ahead, so a
# message lost to a broker restart or a killed worker is re-sent this long after it was due. A failed
# enqueue makes the row due at once. Longer than a normal queue wait plus one attempt (an output write
# is well under a second); a duplicate run is harmless. With the 5 s sweep, lost work lands within 30 s.
HITL_OUTBOX_GRACE_SECONDS = env_int("HITL_OUTBOX_GRACE_SECONDS", 20)
# Optional: also send every status event to an SQS queue and/or an EventBridge bus (boto3, standard AWS
# credentials; AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_EVENTS for compatible endpoints).
HITL_EVENT_SQS_QUEUE_URL = env_str("HITL_EVENT_SQS_QUEUE_URL", "")
HITL_EVENT_BUS_NAME = env_str("HITL_EVENT_BUS_NAME", "")
# EventBridge refuses custom events whose source starts with "aws.", so PutEvents uses this source.
HITL_EVENT_SOURCE = env_str("HITL_EVENT_SOURCE", "hitl.sagemaker")

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# With no broker, tasks run in-process when their transaction commits, so the
# embedded default needs neither Redis nor a worker.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost the broker tries again every second (not Celery's 2, 4 ... 30 s back-off), so it
# is back within a second of Redis; and it keeps trying however long the outage (Celery's default gives
# up after 100 tries, then the worker exits).
CELERY_WORKER_CONSUMER = "hitl.kernel.broker_reconnect:Consumer"
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Sent by each worker as it connects to the broker (at start and after an outage): the outbox sweep
# re-sends what failed to enqueue while Redis was away at once, not at its next tick behind what the
# web processes queued in between.
HITL_TASKS_ON_BROKER_CONNECT = ["flows.tasks.redeliver_outbox"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Redis hands a message delivered to a worker that died without acknowledging it (SIGKILL, OOM, power)
# to another worker after this long. It must exceed the longest task time limit plus the longest
# countdown a task waits in a worker (finalize_loop retries <= 60 s; webhook retries longer than that
# go back to the outbox sweep), or running and waiting tasks would be delivered twice. Lost work is
# re-sent much sooner by the outbox sweep (HITL_OUTBOX_GRACE_SECONDS); this is the broker's backstop.
# The longest time limit is the console import's hour (flows.tasks.run_import): twice that covers it plus
# the 60 s countdowns (tests/flows/test_delivery_attempts.py), and a redelivered import of a dead worker
# then finds its job stale and takes it over (flows.loops.imports.STALE_RUN_SECONDS).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("HITL_BROKER_VISIBILITY_TIMEOUT_SECONDS", 7200)}
CELERY_BEAT_SCHEDULE = {
    # Leases are minutes long; a 15 s sweep returns an abandoned task to the
    # queue quickly. Claims also ignore expired leases, so lateness is harmless.
    "expire-leases": {"task": "flows.tasks.expire_leases", "schedule": 15.0},
    # Loop lifetimes are hours to days; claims already skip expired loops.
    "expire-loops": {"task": "flows.tasks.expire_loops", "schedule": 30.0},
    # Re-sends outbox rows past their due time (lost messages, failed enqueues, webhook retries
    # longer than a worker should hold): 5 s plus the 20 s grace keeps recovery under 30 s.
    "redeliver-outbox": {"task": "flows.tasks.redeliver_outbox", "schedule": 5.0},
    # New-work digests and due notification deliveries: 1 s, so a digest leaves within a second of the work
    # (or of its window); when nothing is new it is one indexed query per notified team.
    "send-notifications": {"task": "notifications.tasks.send_notifications", "schedule": 1.0},
    # Reminders, escalations and timeouts of flows with hitl:deadline tags: steps are minutes apart, and each
    # sweep reads only the loops whose step came due since the last one (notifications.sweeps).
    "deadline-steps": {"task": "notifications.tasks.run_deadline_steps", "schedule": 5.0},
    # The console's search table: loops started since the last sweep are copied into it, set-based (console.search_index);
    # until then the search tests them row by row, so this bounds how long a big import's loops are slow to search.
    "index-loop-search": {"task": "console.tasks.index_loop_search", "schedule": 2.0},
    # A big import's task rows commit by two-phase commit (flows.loops.side_writes): one a dead process left
    # prepared holds its locks until this sweep settles it, a minute after it was prepared.
    "settle-side-writes": {"task": "flows.tasks.settle_side_writes", "schedule": 30.0},
}
# Without a broker there is no beat process: each web process runs the schedule above in a thread,
# one process per sweep at a time (hitl.kernel.embedded_beat). Set false to run the sweeps some other way.
HITL_EMBEDDED_SWEEPS = env_bool("HITL_EMBEDDED_SWEEPS", not CELERY_BROKER_URL)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "review_ui.authentication.WorkerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
    # Domain errors as {"message": ...} with the status hitl.kernel.errors gives each class.
    "EXCEPTION_HANDLER": "review_ui.api.exception_handler",
}

# --- Sign-in (django-allauth) ------------------------------------------------
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/portal/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "review_ui.auth_adapters.InviteOnlyAccountAdapter"
# Reviewers of a workforce's OIDC IdP sign in (and are put on teams by group) via workforce.oidc.
SOCIALACCOUNT_ADAPTER = "workforce.oidc.WorkforceSocialAccountAdapter"
HITL_OPEN_SIGNUP = env_bool("HITL_OPEN_SIGNUP", False)
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "hitl@localhost")
# SMTP (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): invitations and notifications.
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10

# Reviewer notifications (notifications/): at most one new-work digest per team and reviewer per window,
# how long a signed task link opens the task, and tries per message before it is marked failed.
HITL_NOTIFY_DIGEST_SECONDS = env_int("HITL_NOTIFY_DIGEST_SECONDS", 300)
HITL_NOTIFY_LINK_SECONDS = env_int("HITL_NOTIFY_LINK_SECONDS", 86400)
HITL_NOTIFY_MAX_ATTEMPTS = env_int("HITL_NOTIFY_MAX_ATTEMPTS", 10)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "hitl",
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("HITL_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# --- TLS (docs/security.md, "Deploying behind TLS") -----------------------------
# Redirect plain-HTTP requests to HTTPS (behind a proxy, with HITL_TRUST_PROXY_HEADERS so the proxy's
# X-Forwarded-Proto counts). Probes and metrics are exempt: they are scraped over plain HTTP inside.
SECURE_SSL_REDIRECT = env_bool("HITL_SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Strict-Transport-Security max-age in seconds (0 = no header). Start small; a year is 31536000.
SECURE_HSTS_SECONDS = env_int("HITL_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HITL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HITL_HSTS_PRELOAD", False)

SESSION_COOKIE_SAMESITE = "Lax"
# --- Operations: throttling, metrics, CSP, logs --------------------------------
# Token bucket per access key: requests per second and burst; 0 = no throttling.
HITL_THROTTLE_RATE = float(env_str("HITL_THROTTLE_RATE", "0") or 0)
HITL_THROTTLE_BURST = env_int("HITL_THROTTLE_BURST", 0)
# Where the buckets live, shared by every process: a Redis URL; empty = the broker's, when it is Redis,
# else the database (hitl.kernel.throttling); "database" keeps them in the database even with a Redis broker.
HITL_THROTTLE_REDIS_URL = env_str("HITL_THROTTLE_REDIS_URL") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
if HITL_THROTTLE_REDIS_URL == "database":
    HITL_THROTTLE_REDIS_URL = ""

# Waiting without polling (agents/): the longest a long-poll DescribeHumanLoop is held, how long one
# status-event stream stays open before the client reconnects with Last-Event-ID, and how often each
# process's watcher reads what changed (new decisions and status events, whatever the number of waiters).
HITL_WAIT_MAX_SECONDS = env_int("HITL_WAIT_MAX_SECONDS", 60)
HITL_EVENT_STREAM_SECONDS = env_int("HITL_EVENT_STREAM_SECONDS", 300)
HITL_WAIT_POLL_MS = env_int("HITL_WAIT_POLL_MS", 50)
# The flow definition (name or ARN) the MCP tools start reviews on unless a call names one.
HITL_MCP_FLOW_DEFINITION = env_str("HITL_MCP_FLOW_DEFINITION", "agent-actions")
# When set, /metrics requires `Authorization: Bearer <token>`.
HITL_METRICS_TOKEN = env_str("HITL_METRICS_TOKEN", "")
HITL_CSP_PATH_PREFIXES = env_list("HITL_CSP_PATH_PREFIXES", ["/portal/", "/accounts/", "/ops/", "/console/"])
HITL_CONTENT_SECURITY_POLICY = env_str("HITL_CONTENT_SECURITY_POLICY") or (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "hitl.kernel.jsonlog.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env_str("HITL_LOG_FORMAT", "json")}},
    "root": {"handlers": ["console"], "level": env_str("HITL_LOG_LEVEL", "WARNING")},
    # One JSON line per request (method, path, status, duration, operation, user, requestId).
    "loggers": {
        "hitl.access": {"level": env_str("HITL_ACCESS_LOG_LEVEL", "INFO")},
        # runserver's own line per request would repeat hitl.access's; its errors still show.
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
