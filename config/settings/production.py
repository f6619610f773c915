"""Production settings: secrets from the environment, DEBUG off, HTTPS everywhere, static files by WhiteNoise."""

from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random string of at least 50 characters "
        "in production (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The quick start's demonstration feed is not part of a deployment.
RIVALSCOPE_SERVE_SAMPLE_FEED = env.bool("RIVALSCOPE_SERVE_SAMPLE_FEED", default=False)

# --- Static files ------------------------------------------------------------------
# gunicorn serves no static files and Django serves them only with DEBUG on, so
# WhiteNoise does it from STATIC_ROOT (DJANGO_STATIC_ROOT; filled by collectstatic at
# release). It goes right after SecurityMiddleware, so HTTPS redirects and HSTS still
# cover static files but nothing else (sessions, CSRF, the API's error middleware)
# runs for them.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_security], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security:]]
# Hashed names (workspace.3f2a….css) can be cached for ever, and gzip copies are made
# once at collectstatic instead of per request. Production only: the manifest exists
# only after collectstatic, which tests and the quick start never run.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are read only by a developer's browser tools, yet the API docs' bundles
# ship 6 MB of them; compressing those with brotli was two thirds of collectstatic's
# time (20 of 30 s), so they are served as they are.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
