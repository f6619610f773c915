"""Web and beat processes start without spaCy or the gazetteer: a process loads the
trained pipeline (``nlp.model()``) and builds the automaton (``get_gazetteer()``) on its
first ingest, so the web server and beat, which never ingest, never pay for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What gunicorn does (config.wsgi, then the URLconf on the first request) and what
# ``celery -A config beat`` does (config.celery and the task modules), in a fresh
# interpreter: the test process itself has loaded spaCy long ago.
START = """
import json, sys

import config.wsgi
from django.urls import resolve

import config.urls
for path in ("/", "/admin/", "/admin/login/", "/health/", "/health/ready/", "/api/v1/ingest/", "/api/v1/changes/"):
    resolve(path)
from config.celery import app

app.loader.import_default_modules()
nlp = sys.modules.get("intel.ingest.nlp")
cache = sys.modules.get("intel.ingest.gazetteer_cache")
print(json.dumps({
    "urlconf": "intel.admin" in sys.modules and "intel.api.urls" in sys.modules,
    "spacy": sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc")),
    "model_loaded": nlp is not None and nlp.model.cache_info().currsize > 0,
    "gazetteer_built": cache is not None and cache._cached is not None,
}))
"""


def test_web_and_beat_start_without_spacy_or_the_gazetteer():
    out = subprocess.run([sys.executable, "-c", START], cwd=ROOT, capture_output=True, text=True, check=True)
    state = json.loads(out.stdout.strip().splitlines()[-1])
    assert state["urlconf"]  # the URLs really were loaded
    assert state["spacy"] == []
    assert not state["model_loaded"]
    assert not state["gazetteer_built"]
