"""Stage 3, sentences: split the body into sentences, spans kept.

Reads ``ctx.body``. Adds ``ctx.sentences``: ``Sentence(start, end, paragraph, heading)``
with ``body[start:end]`` the sentence without surrounding white space. Paragraphs
are separated by blank lines; a short paragraph without closing punctuation is a
heading ("Challenging market"). spaCy's sentencizer splits within paragraphs.
"""

from __future__ import annotations

import itertools
import re

from .context import ArticleContext, IngestEnv, Sentence
from .nlp import english

NAME = "sentences"

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CLOSING = (".", "!", "?", '"', "”", "'", "’", ":", ";", ")")


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    todo = [ctx for ctx in batch if not ctx.done]
    for ctx, doc in zip(todo, english().pipe(ctx.body for ctx in todo), strict=True):
        ctx.set_sentences(split_sentences(ctx.body, [(s.start_char, s.end_char) for s in doc.sents]))


def split_sentences(body: str, spacy_spans: list[tuple[int, int]]) -> list[Sentence]:
    paragraph_starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(body)]
    sentences: list[Sentence] = []
    for start, end in spacy_spans:
        # spaCy does not treat a blank line as a boundary: cut there too.
        cuts = [start] + [p for p in paragraph_starts if start < p < end] + [end]
        for a, b in itertools.pairwise(cuts):
            piece = body[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            s = a + (len(piece) - len(piece.lstrip()))
            e = s + len(stripped)
            paragraph = sum(1 for p in paragraph_starts if p <= s) - 1
            sentences.append(Sentence(s, e, paragraph, heading=False))
    # A paragraph that is one short line without closing punctuation is a heading.
    result = []
    for index, sentence in enumerate(sentences):
        alone = all(
            other.paragraph != sentence.paragraph
            for other in sentences[max(0, index - 1) : index + 2]
            if other is not sentence
        )
        text = body[sentence.start : sentence.end]
        heading = alone and "\n" not in text and len(text.split()) <= 10 and not text.endswith(_CLOSING)
        result.append(Sentence(sentence.start, sentence.end, sentence.paragraph, heading))
    return result
