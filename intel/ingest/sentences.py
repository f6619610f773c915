"""Stage 3, sentences: split the body into sentences, spans kept.

Reads ``ctx.body``. Adds ``ctx.sentences``: ``Sentence(start, end, paragraph, heading)``
with ``body[start:end]`` the sentence without surrounding white space. Paragraphs
are separated by blank lines; a short paragraph without closing punctuation is a
heading ("Challenging market"). spaCy's sentencizer splits within paragraphs.
"""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache

from spacy.attrs import IS_PUNCT, ORTH

from .context import ArticleContext, IngestEnv, Sentence
from .nlp import sentence_tokenizer

NAME = "sentences"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CLOSING = (".", "!", "?", '"', "”", "'", "’", ":", ";", ")")


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    for ctx in batch:
        if not ctx.done:
            ctx.set_sentences(split_sentences(ctx.body, sentencizer_spans(ctx.body)))


@lru_cache(maxsize=1)
def _sentence_enders() -> frozenset[int]:
    """The hashes of the characters that end a sentence, as spaCy's sentencizer has them."""
    nlp = sentence_tokenizer()
    return frozenset(nlp.vocab.strings.add(c) for c in nlp.get_pipe("sentencizer").punct_chars)


def sentencizer_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of ``sentence_tokenizer()(text).sents``, without running the pipeline.

    spaCy's sentencizer reads each token's text as a Python string and builds a
    ``Token`` object per token: a token that follows a sentence-ending character
    (``.``, ``!``, ``?``…) and is itself neither punctuation nor such a character
    starts a sentence. The same rule over the tokenizer's arrays of string hashes
    and punctuation flags costs a quarter as much (``tests/test_ingest_sentences.py``
    checks the spans against the sentencizer's).
    """
    doc = sentence_tokenizer().make_doc(text)  # make_doc also enforces spaCy's max_length, as before
    if not len(doc):
        return []
    enders = _sentence_enders()
    orths, puncts = doc.to_array([ORTH, IS_PUNCT]).T.tolist()
    starts = [0]
    after_ender = False
    for i, orth in enumerate(orths):
        if orth in enders:
            after_ender = True
        elif after_ender and not puncts[i]:
            starts.append(i)
            after_ender = False
    spans = []
    for start, end in zip(starts, [*starts[1:], len(doc)], strict=True):
        last = doc[end - 1]
        spans.append((doc[start].idx, last.idx + len(last)))
    return spans


def split_sentences(body: str, spacy_spans: list[tuple[int, int]]) -> list[Sentence]:
    paragraph_starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(body)]
    pieces: list[tuple[int, int, int]] = []  # start, end, paragraph
    for start, end in spacy_spans:
        # spaCy does not treat a blank line as a boundary: cut there too.
        inner = paragraph_starts[
            bisect.bisect_right(paragraph_starts, start) : bisect.bisect_left(paragraph_starts, end)
        ]
        for a, b in itertools.pairwise([start, *inner, end]):
            piece = body[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            s = a + (len(piece) - len(piece.lstrip()))
            pieces.append((s, s + len(stripped), bisect.bisect_right(paragraph_starts, s) - 1))
    # A paragraph that is one short line without closing punctuation is a heading.
    result = []
    last = len(pieces) - 1
    for index, (start, end, paragraph) in enumerate(pieces):
        alone = (index == 0 or pieces[index - 1][2] != paragraph) and (
            index == last or pieces[index + 1][2] != paragraph
        )
        heading = False
        if alone:
            text = body[start:end]
            heading = "\n" not in text and len(text.split()) <= 10 and not text.endswith(_CLOSING)
        result.append(Sentence(start, end, paragraph, heading))
    return result
