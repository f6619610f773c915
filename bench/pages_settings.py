"""Settings for ``bench/pages.py``: ``bench/api.py``'s (the production settings, DEBUG
off, plain HTTP on loopback), with the project's URLs plus the pages' raw baselines.
"""

from bench.api_settings import *  # noqa: F403

# The project's URLs and the raw views under /bench/raw/pages/ (``bench.pages.urlpatterns``).
ROOT_URLCONF = "bench.pages"
# Static files by their plain names: production's manifest storage needs collectstatic
# to have run, and what is measured is the pages, not serving their stylesheets.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
