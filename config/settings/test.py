"""Settings for the test suite.

``DATABASE_URL`` picks the database as everywhere else (CI runs the suite on
PostgreSQL and again on SQLite). Passwords hash fast; nothing is sent by e-mail.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-anything-else-5d2a91c3"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}

# A SQLite test database lives in a file, not in memory, so that a real Celery
# worker started by a test (a separate process) sees the same data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-rivalscope.sqlite3")}

