"""Stage 3: sentences with exact spans, cut at blank lines, headings recognised."""

from __future__ import annotations

from intel.ingest.context import ArticleContext, IngestEnv, IngestInput
from intel.ingest.sentences import run
from tests.seed import SEED_TEXT


def sentences_of(body: str):
    ctx = ArticleContext(input=IngestInput(text=body), body=body)
    run([ctx], IngestEnv())
    return ctx, [body[s.start : s.end] for s in ctx.sentences]


def test_spans_are_exact_and_trimmed():
    _, texts = sentences_of("  Xiaomi enters the U.S. next year.  Apple declined to comment. ")
    assert texts == ["Xiaomi enters the U.S. next year.", "Apple declined to comment."]


def test_a_blank_line_always_ends_a_sentence_and_a_short_unpunctuated_paragraph_is_a_heading():
    ctx, texts = sentences_of(SEED_TEXT)
    assert "Challenging market" in texts
    heading = ctx.sentences[texts.index("Challenging market")]
    assert heading.heading
    assert texts[texts.index("Challenging market") + 1].startswith("Going by the volume")
    assert not any(s.heading for s in ctx.sentences if SEED_TEXT[s.start : s.end] != "Challenging market")


def test_sentence_at_finds_the_sentence_of_an_offset():
    body = "One sentence here. Another one there."
    ctx, _ = sentences_of(body)
    assert ctx.sentence_at(body.index("Another")) == 1
    assert ctx.sentence_at(0) == 0


def test_paragraph_numbers_follow_blank_lines():
    ctx, _ = sentences_of("First paragraph. Still first.\n\nSecond paragraph.")
    assert [s.paragraph for s in ctx.sentences] == [0, 0, 1]


def test_sentence_spans_are_the_spacy_sentencizers():
    """The stage's tokenizer computes only the lexical attribute the sentencizer reads
    (``nlp.sentence_tokenizer``): its spans are those of a plain blank pipeline's."""
    import random

    import spacy

    from intel.ingest.sentences import sentencizer_spans

    reference = spacy.blank("en")  # a pipeline of its own, untouched by the stage's
    reference.add_pipe("sentencizer")

    pieces = [
        "The U.S. market", "is big.", "Mr. Smith said", '"hello."', "Next!", "ok?!", "(yes.)", "3.5%", "e.g.",
        "Inc.", "...", "—", "“Quoted.”", "’Tis", "。", "！", "？", "‼", "\n", "\n\n", "  ", "\t", "\u00a0", "\r\n", "",
    ]  # fmt: skip
    rng = random.Random(3)
    texts = [SEED_TEXT, "", " ", ".", "?!", "\n\n", "a. b", "end.  Next", "Done.\n\nNew paragraph"]
    texts += [rng.choice(["", " "]).join(rng.choices(pieces, k=rng.randint(1, 25))) for _ in range(500)]
    words = ["Kazenvo", "Zentri's", "e-mail", "a@b.com", "http://x.io/a.b", "3.5", "U.K.", "$1,000", "(Ltd.)", "-"]
    texts += [" ".join(rng.choices(words + pieces, k=rng.randint(1, 40))) for _ in range(500)]
    for text in texts:
        expected = [(s.start_char, s.end_char) for s in reference(text).sents]
        assert sentencizer_spans(text) == expected, text
