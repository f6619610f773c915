"""The trained pipeline: named by a setting, loaded only by processes that ingest,
and a clear error naming the package when it is missing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from intel.checks import nlp_model_installed
from intel.ingest import nlp


def test_a_missing_model_package_is_named_in_the_error(settings):
    settings.RIVALSCOPE_NLP_MODEL = "en_core_web_missing_xx"
    nlp.model.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="en_core_web_missing_xx"):
            nlp.model()
        [error] = nlp_model_installed()
        assert "en_core_web_missing_xx" in error.msg and "requirements/model.txt" in error.msg
    finally:
        nlp.model.cache_clear()


def test_the_installed_model_passes_the_check_and_loads_once():
    assert nlp_model_installed() == []
    assert nlp.model() is nlp.model()
    assert {"ner", "parser"} <= set(nlp.model().pipe_names)
