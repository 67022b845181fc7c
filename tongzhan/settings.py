"""tongzhan settings: one file, driven by the environment.

SQLite (WAL) unless DATABASE_URL is set. Secrets come from the environment or
from a key file outside the repository; in demo/debug mode the key file is
created on first use so that `make run` works on a fresh machine.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tongzhan.settings_paths import VAR_DIR, key_file_path

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


DEBUG = env_bool("TONGZHAN_DEBUG")
# Demo mode: demo accounts may exist. A production start refuses to run with them.
DEMO_MODE = env_bool("TONGZHAN_DEMO")


def load_keys() -> dict[str, str]:
    """Secret key, field-encryption key and audit-chain key: env first, then the key file."""
    names = ("secret_key", "field_key", "audit_key")
    from_env = {n: os.environ.get(f"TONGZHAN_{n.upper()}", "") for n in names}
    if all(from_env.values()):
        return from_env
    key_file = key_file_path()
    if not key_file.exists():
        raise ImproperlyConfigured(
            f"No keys: run `tongzhan makekeys` to create {key_file}, or set "
            "TONGZHAN_SECRET_KEY, TONGZHAN_FIELD_KEY and TONGZHAN_AUDIT_KEY."
        )
    stored = json.loads(key_file.read_text())
    return {n: from_env[n] or stored[n] for n in names}


_KEYS = load_keys()
SECRET_KEY = _KEYS["secret_key"]
FIELD_ENCRYPTION_KEY = _KEYS["field_key"]  # 32 hex chars = 128-bit SM4 key
AUDIT_CHAIN_KEY = _KEYS["audit_key"]

ALLOWED_HOSTS = [h for h in os.environ.get("TONGZHAN_ALLOWED_HOSTS", "").split(",") if h]
if DEBUG or DEMO_MODE:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # its docs page then uses the locally served Swagger files, not a CDN
    "tongzhan.core",
    "tongzhan.accounts",
    "tongzhan.audit",
    "tongzhan.people",
    "tongzhan.orgs",
    "tongzhan.engagement",
    "tongzhan.ledgers",
    "tongzhan.dashboard",
    "tongzhan.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First, so every audit row (an idle-timeout logout too) knows the source IP.
    "tongzhan.audit.middleware.RequestContextMiddleware",
    # SQLite's "database is locked" (a large import is writing) → 503 with the reason.
    "tongzhan.core.middleware.DatabaseBusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the idle timeout: it tells the user why the session ended.
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongzhan.accounts.middleware.IdleTimeoutMiddleware",
    "tongzhan.accounts.middleware.SecurityGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongzhan.urls"
WSGI_APPLICATION = "tongzhan.wsgi.application"

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
                "tongzhan.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TONGZHAN_TEST_DB_NAME", "test_tongzhan"
    )
else:
    SQLITE_BUSY_SECONDS = int(os.environ.get("TONGZHAN_SQLITE_BUSY_SECONDS", 10))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TONGZHAN_SQLITE_PATH", str(VAR_DIR / "tongzhan.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing mid-transaction.
                # busy_timeout: how long a write waits for another one (a ledger import
                # writes 100,000 persons in one transaction) before core.middleware
                # answers 503.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA foreign_keys=ON; PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000};",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy defaults; the 安全管理员 can change them in the UI (SecurityPolicy).
PASSWORD_MIN_LENGTH = env_int("TONGZHAN_PASSWORD_MIN_LENGTH", 10)
PASSWORD_MIN_CLASSES = env_int("TONGZHAN_PASSWORD_MIN_CLASSES", 3)
PASSWORD_MAX_AGE_DAYS = env_int("TONGZHAN_PASSWORD_MAX_AGE_DAYS", 90)
IDLE_TIMEOUT_MINUTES = env_int("TONGZHAN_IDLE_TIMEOUT_MINUTES", 30)
LOCKOUT_THRESHOLD = env_int("TONGZHAN_LOCKOUT_THRESHOLD", 5)
LOCKOUT_MINUTES = env_int("TONGZHAN_LOCKOUT_MINUTES", 30)
API_TOKEN_DAYS = env_int("TONGZHAN_API_TOKEN_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tongzhan.accounts.passwords.UsernameInPasswordValidator"},
    {"NAME": "tongzhan.accounts.passwords.PolicyLengthValidator"},
    {"NAME": "tongzhan.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = "tongzhan.accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "tongzhan.accounts.lockout.cooloff_time"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_CALLABLE = "tongzhan.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Django's database sessions, but an update waits only a moment for a busy SQLite.
SESSION_ENGINE = "tongzhan.accounts.sessions"
SESSION_COOKIE_AGE = 12 * 3600  # hard cap; the idle timeout is enforced by middleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
OTP_TOTP_ISSUER = "tongzhan 统战工作管理平台"

SECURE = not (DEBUG or DEMO_MODE) and not env_bool("TONGZHAN_INSECURE_HTTP")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TONGZHAN_CSRF_ORIGINS", "").split(",") if o]

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded ledgers wait here (outside the web root) until their rows are checked.
IMPORT_DIR = Path(os.environ.get("TONGZHAN_IMPORT_DIR", VAR_DIR / "imports"))
# Processes that check the rows of a large ledger while the importing process compares
# them with the registry and stores them (the rows are independent; the duplicate checks
# and the database work stay in the importing process). 0 = check in the importing process.
IMPORT_CHECK_PROCESSES = env_int("TONGZHAN_IMPORT_PROCESSES", min(4, len(os.sched_getaffinity(0))))

# --- logging: never raw personal data (see tongzhan.lib.masking) ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "tongzhan.lib.masking.MaskingLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGZHAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # runserver's request lines carry query strings (a searched phone number): mask them too.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
# Proxies (nginx) whose X-Real-IP header names the client for the audit log.
TRUSTED_PROXIES = [p for p in os.environ.get("TONGZHAN_TRUSTED_PROXIES", "").split(",") if p]

NINJA_PAGINATION_PER_PAGE = 50
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_IDLE_KEY = "tongzhan_last_seen"
PASSWORD_RESET_TIMEOUT = int(timedelta(days=1).total_seconds())

# Axes warns when lockout is not keyed on the IP address. Government intranets put
# whole offices behind one NAT address, so an IP lockout would lock out colleagues;
# the policy here is per account (DOMAIN: "lockout after 5 failed logins").
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- background jobs (ledger imports): django-tasks with its database backend, so the same
# queue works on SQLite and PostgreSQL; `tongzhan worker` runs it (`make run` starts one).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
