"""The spaCy pipeline ingestion shares: a blank English tokenizer and the rule-based
sentencizer. Both are rule-based and need no model download."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.attrs import IS_PUNCT
from spacy.language import Language


@lru_cache(maxsize=1)
def english() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def sentence_tokenizer() -> Language:
    """``english()`` for splitting sentences only: the same tokenizer, whose vocabulary
    computes only the punctuation flag of a new word.

    Every name the tokenizer has not seen becomes a lexeme, and spaCy computes a
    score of attributes for it in Python (like_url, like_email, shape, stop word…):
    a third of the tokenizer's time over news full of new names. Which tokens
    there are does not depend on those attributes, and the sentence rule reads
    only the text and the punctuation flag.
    """
    nlp = spacy.blank("en")
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {IS_PUNCT: getters[IS_PUNCT]}
    nlp.add_pipe("sentencizer")
    return nlp
