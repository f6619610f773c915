"""System checks: what rivalscope needs installed, reported when any command starts."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def nlp_model_installed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The spaCy pipeline named by ``RIVALSCOPE_NLP_MODEL`` must be importable.

    Only looked up, not loaded: loading takes a second and most processes
    (web, beat) never ingest.
    """
    from intel.ingest.nlp import model_installed, model_missing_message, model_name

    if model_installed():
        return []
    return [Error(model_missing_message(model_name()), id="intel.E001")]
