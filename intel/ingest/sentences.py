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


@lru_cache(maxsize=1)
def _sentence_enders() -> frozenset[int]:
    """The hashes of the characters that end a sentence, as spaCy's sentencizer has them."""
    nlp = sentence_tokenizer()
    return frozenset(nlp.vocab.strings.add(c) for c in nlp.get_pipe("sentencizer").punct_chars)


@lru_cache(maxsize=2)
def _ender_pattern(astral: bool) -> re.Pattern[str]:
    """Any one of the sentencizer's sentence-ending characters (all single characters).

    Those of the Basic Multilingual Plane only, unless ``astral``: a character class
    with characters beyond it is matched by comparing each in turn, far slower.
    """
    punct_chars = sentence_tokenizer().get_pipe("sentencizer").punct_chars
    chars = sorted(c for c in punct_chars if astral or ord(c) <= 0xFFFF)
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# White space other than the plain space and the line break: texts with any go the
# whole tokenizer's way (the fast path below knows how spaCy treats those two only).
_OTHER_SPACE = re.compile(
    "[" + "".join(re.escape(chr(i)) for i in range(0x10000) if chr(i).isspace() and chr(i) not in " \n") + "]"
)

_ASCII_OTHER_SPACE = tuple(c for c in map(chr, range(128)) if c.isspace() and c not in " \n")


def _has_other_space(text: str) -> bool:
    if text.isascii():
        return any(c in text for c in _ASCII_OTHER_SPACE)  # a few searches in C: faster than the class
    return _OTHER_SPACE.search(text) is not None


def sentencizer_spans(text: str) -> list[tuple[int, int]]:
    """The character spans of ``sentence_tokenizer()(text).sents``, without running the pipeline.

    spaCy's sentencizer starts a sentence at a token that follows a sentence-ending
    character (``.``, ``!``, ``?``…) and is itself neither punctuation nor such a
    character. Tokens never cross white space, and spaCy tokenizes each piece of
    text between white space on its own, so only the pieces that hold such a
    character, and the ones right after them, need the tokenizer: a tenth of the
    article, and the same few pieces ("said.", "year.") again and again, cached.
    ``tests/test_ingest_sentences.py`` checks the spans against the sentencizer's.
    """
    if not text:
        return []
    if len(text) > sentence_tokenizer().max_length or _has_other_space(text):
        return _tokenized_sentencizer_spans(text)  # make_doc enforces spaCy's max_length
    starts = _sentence_starts(text)
    spans = []
    for start, following in itertools.pairwise(starts):
        # The sentence ends with its last token: only white space comes before the next.
        end = following
        while end > start and text[end - 1] in " \n":
            end -= 1
        spans.append((start, end))
    # The last token ends the text, but for a single trailing space (the token's own);
    # any other run of white space is a token, and may be a last sentence of its own.
    body_end = len(text.rstrip(" \n"))
    single_space = body_end > starts[-1] and text[body_end:] in ("", " ")
    spans.append((starts[-1], body_end if single_space else len(text)))
    return spans


def _sentence_starts(text: str) -> list[int]:
    """Where the sentencizer starts sentences in ``text`` (white space: spaces and line breaks only)."""
    starts = [0]  # the first token's, white space or not
    size = len(text)
    pos = 0  # everything before it is read
    after_ender = False
    astral = not text.isascii() and _ASTRAL.search(text) is not None
    for ender in _ender_pattern(astral).finditer(text):
        at = ender.start()
        if at < pos:
            continue  # in a piece read already
        if after_ender:
            pos, after_ender = _next_start(text, pos, starts)
            if at < pos:
                continue
        space = text.rfind(" ", 0, at)
        piece_start = max(space, text.rfind("\n", space + 1, at)) + 1
        piece_end = _piece_end(text, at)
        after_ender = _read_piece(text[piece_start:piece_end], piece_start, False, starts)
        pos = piece_end
    if after_ender and pos < size:
        _next_start(text, pos, starts)
    return starts


def _next_start(text: str, pos: int, starts: list[int]) -> tuple[int, bool]:
    """Read on from ``pos`` (the end of a piece) after a sentence-ending character,
    until a token starts the next sentence; return where reading stopped and whether
    the last piece read still ends after such a character."""
    size = len(text)
    while pos < size:
        space_end = pos
        while space_end < size and text[space_end] in " \n":
            space_end += 1
        if space_end == size:
            if text[pos:] != " ":
                starts.append(pos + 1 if text[pos] == " " else pos)  # a trailing white space token
            return size, False
        if space_end - pos > 1 or (space_end > pos and text[pos] != " "):
            # Any run of white space but a single space is a token, which is not punctuation.
            starts.append(pos + 1 if text[pos] == " " else pos)
            return space_end, False
        piece_end = _piece_end(text, space_end)
        piece = text[space_end:piece_end]
        if piece.isalnum():
            starts.append(space_end)  # letters and digits: no punctuation among its tokens
            return piece_end, False
        if not _read_piece(piece, space_end, True, starts):
            return piece_end, False
        pos = piece_end
    return pos, True


def _piece_end(text: str, at: int) -> int:
    space = text.find(" ", at)
    if space == -1:
        space = len(text)
    newline = text.find("\n", at, space)  # no further than the space: that may be far
    return space if newline == -1 else newline


def _read_piece(piece: str, offset: int, after_ender: bool, starts: list[int]) -> bool:
    """Apply the sentencizer's rule to the tokens of one piece of text without white space."""
    for start, is_ender, is_punct in _piece_tokens(piece):
        if is_ender:
            after_ender = True
        elif after_ender and not is_punct:
            starts.append(offset + start)
            after_ender = False
    return after_ender


@lru_cache(maxsize=65536)
def _piece_tokens(piece: str) -> tuple[tuple[int, bool, bool], ...]:
    """(offset, ends a sentence, is punctuation) of each token spaCy makes of ``piece``."""
    from spacy.attrs import IS_PUNCT, ORTH  # spaCy loads when a process first ingests

    doc = sentence_tokenizer().make_doc(piece)
    enders = _sentence_enders()
    orths, puncts = doc.to_array([ORTH, IS_PUNCT]).T.tolist()
    return tuple(
        (token.idx, orth in enders, bool(punct)) for token, orth, punct in zip(doc, orths, puncts, strict=True)
    )


def _tokenized_sentencizer_spans(text: str) -> list[tuple[int, int]]:
    """``sentencizer_spans`` over the whole text's tokens, for any white space.

    The sentencizer itself reads each token's text as a Python string and builds a
    ``Token`` object per token; the same rule over the tokenizer's arrays of string
    hashes and punctuation flags costs a quarter as much.
    """
    from spacy.attrs import IS_PUNCT, ORTH

    doc = sentence_tokenizer().make_doc(text)
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
