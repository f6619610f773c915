"""Settings for a developer's machine and the quick start: embedded defaults, DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="local-only-insecure-key-do-not-use-in-production-7c1f0e2b9a",
)

# The quick start's sample feed is served by its own web server (/sample/feed.xml).
# The fetcher refuses loopback addresses; this names that one host, port and path, so
# nothing else on this machine becomes reachable, its own admin pages included.
RIVALSCOPE_FETCH_ALLOWED_HOSTS = env.list(
    "RIVALSCOPE_FETCH_ALLOWED_HOSTS", default=[f"127.0.0.1:{env.int('PORT', default=8000)}/sample/"]
)
