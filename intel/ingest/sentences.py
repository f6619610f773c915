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

from .context import ArticleContext, IngestEnv, Sentence
from .nlp import sentence_tokenizer

NAME = "sentences"
READS = ("body",)
ADDS = ("sentences",)

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CLOSING = (".", "!", "?", '"', "”", "'", "’", ":", ";", ")")


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    for ctx in batch:
        ctx.set_sentences(split_sentences(ctx.body, sentencizer_spans(ctx.body)))


def sentencizer_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of the sentences spaCy's rule-based sentencizer finds in ``text``."""
    return [(sentence.start_char, sentence.end_char) for sentence in sentence_tokenizer()(text).sents]


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
