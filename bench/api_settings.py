"""Settings for ``bench/api.py``: production settings, served over plain HTTP on loopback.

Production is what is measured (DEBUG off, no debug toolbar, the production
middleware); only what a loopback benchmark cannot satisfy is changed.
"""

import os

# Production refuses to start without these; the benchmark's server is local and throwaway.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-never-used-anywhere-else-0123456789abcdef")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# No TLS on loopback: a redirect to https would measure nothing.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The load generator is one user sending hundreds of requests a second: throttling
# still runs on every request (its cost is measured), but never refuses one. A
# per-second rate keeps the throttle's history list as short as a real program's.
os.environ.setdefault("API_THROTTLE_USER", "1000000/s")

from config.settings.production import *  # noqa: F403

DEBUG = False
# The project's URLs plus the raw baseline views (bench/api_raw.py).
ROOT_URLCONF = "bench.api_raw"
