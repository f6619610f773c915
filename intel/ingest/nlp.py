"""The spaCy pipeline ingestion shares: a blank English tokenizer and the rule-based
sentencizer. Both are rule-based and need no model download."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=1)
def english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp
