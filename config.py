"""Configuration classes; values that differ per deployment come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LINKAGE_INSTANCE_PATH", BASE_DIR / "instance"))


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'linkage.sqlite3'}"
    )
    # hide_parameters: a failed statement is logged without its values (household ids, amounts)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # a 20,000-row household CSV is about 2 MB

    WTF_CSRF_TIME_LIMIT = None  # tied to the session; a slow phone must not lose a form

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "linkage" / "translations")

    RATELIMIT_ENABLED = True  # said here: the limiter would otherwise keep its last app's
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins (the /login form and POST /api/v1/tokens count together), per address...
    LOGIN_RATE_LIMIT = "20 per minute"
    # ...and per account: this many failures within the window lock the account for the
    # window; each further lock within a day doubles it, up to LOGIN_LOCKOUT_MAX.
    LOGIN_ACCOUNT_FAILURES = 5
    LOGIN_ACCOUNT_WINDOW = timedelta(minutes=15)
    LOGIN_LOCKOUT_MAX = timedelta(hours=24)
    # Redis down: count in this process's memory (a warning is logged) rather than refuse logins
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}  # Redis
    # the public impact page adds up the whole province: a visitor may not ask for it endlessly
    PUBLIC_IMPACT_RATE_LIMIT = "20 per minute;200 per hour"
    # The public impact page's province figures, the same for every visitor, are computed at
    # most once per PUBLIC_IMPACT_CACHE_SECONDS per period and kept in Redis when
    # CACHE_REDIS_URL is set (shared by the workers), in each process's memory otherwise.
    PUBLIC_IMPACT_CACHE_SECONDS = 300
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_TYPE = "RedisCache" if CACHE_REDIS_URL else "SimpleCache"
    CACHE_KEY_PREFIX = "linkage:"
    TOKEN_LIFETIME = timedelta(days=90)  # absolute: a token never outlives this
    TOKEN_IDLE_LIMIT = timedelta(days=14)  # a token unused this long stops working
    SESSION_LIFETIME = timedelta(hours=12)  # a login in a browser ends after this, at the latest

    # Orders (README "Order limits"): placing per buyer, pages and API counted together; the
    # value of a buyer's orders holding stock (placed or accepted), lower for new accounts;
    # placed orders not accepted in time are cancelled by `flask orders expire`.
    ORDER_RATE_LIMIT = "10 per minute;60 per hour"
    ORDER_OPEN_VALUE_CAP_VND = 500_000_000
    ORDER_OPEN_VALUE_CAP_NEW_BUYER_VND = 50_000_000
    ORDER_NEW_BUYER_AGE = timedelta(days=7)
    ORDER_ACCEPT_WITHIN = timedelta(days=7)

    API_TITLE = "Linkage API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Cooperative market-linkage platform of Phu Tho province: reference "
            "data, cooperatives, households, value chain, orders and income impact.",
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
            }
        },
    }
    PER_PAGE_MAX = 200

    # Deployment (linkage.http_headers): hosts the app answers for (None: any), the public
    # address that ids in EPCIS documents and QR labels use (None: the request's), how many
    # reverse proxies stand in front (their X-Forwarded-For and -Proto are then believed), and
    # the Strict-Transport-Security header (None: not sent).
    TRUSTED_HOSTS: list[str] | None = None
    PUBLIC_BASE_URL: str | None = None
    PROXY_COUNT = 0
    STRICT_TRANSPORT_SECURITY: str | None = None

    # Compression (flask-compress; README "Compression and static files"): answers of these
    # types, from COMPRESS_MIN_SIZE bytes on, in the best encoding the client accepts (zstd,
    # br, gzip, deflate). Streamed answers (static files, CSV exports) are compressed as they
    # are sent, gzip included. COMPRESS_RESPONSES=0 leaves it to a reverse proxy.
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/problem+json",
        "application/ld+json",  # EPCIS documents
        "image/svg+xml",
    ]
    COMPRESS_MIN_SIZE = 1024  # bytes: a smaller answer fits in one network packet anyway
    COMPRESS_ALGORITHM = ["zstd", "br", "gzip", "deflate"]
    COMPRESS_ALGORITHM_STREAMING = ["zstd", "br", "gzip", "deflate"]


class DevelopmentConfig(Config):
    """Local development: `make run`."""

    ENV_NAME = "development"


class TestConfig(Config):
    """The test suite; the database URI is given by the fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # tests of the limits turn it on
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_REDIS_URL = None  # each test app keeps its own figures; Redis tests set it
    CACHE_TYPE = "SimpleCache"
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: refuses to start without SECRET_KEY; cookies and links only over HTTPS."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    STRICT_TRANSPORT_SECURITY = "max-age=31536000"  # one year; subdomains are not ours to bind


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}
