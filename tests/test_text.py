"""The one whole-word pattern: literal words that no letter, digit or underscore touches."""

from __future__ import annotations

from intel.text import whole_word_pattern


def _found(pattern, text: str) -> list[str]:
    return [m.group(0) for m in pattern.finditer(text)]


def test_a_word_inside_another_is_not_found_and_punctuation_at_its_edges_is_no_obstacle():
    assert _found(whole_word_pattern("Mi", case_sensitive=True), "Mining Mi Mi's MiX _Mi (Mi)") == ["Mi", "Mi", "Mi"]
    assert _found(whole_word_pattern("AT&T", case_sensitive=True), "AT&T's deal; AT&Ts") == ["AT&T"]
    assert _found(whole_word_pattern("Yahoo!", case_sensitive=True), "Yahoo! said") == ["Yahoo!"]


def test_case_is_ignored_only_when_asked():
    assert _found(whole_word_pattern("xiaomi", case_sensitive=True), "Xiaomi xiaomi") == ["xiaomi"]
    assert _found(whole_word_pattern("xiaomi", case_sensitive=False), "Xiaomi xiaomi") == ["Xiaomi", "xiaomi"]


def test_of_several_words_the_longest_is_found_whole():
    pattern = whole_word_pattern(["Xiaomi", "Xiaomi Corp"], case_sensitive=True)
    assert _found(pattern, "Xiaomi Corp and Xiaomi") == ["Xiaomi Corp", "Xiaomi"]


def test_words_are_literal_and_spaces_match_any_white_space_only_when_asked():
    assert _found(whole_word_pattern("a.b", case_sensitive=True), "axb a.b") == ["a.b"]
    text = "market\n  entry, market entry"
    assert _found(whole_word_pattern("market entry", case_sensitive=True), text) == ["market entry"]
    assert _found(whole_word_pattern("market entry", case_sensitive=True, any_space=True), text) == [
        "market\n  entry",
        "market entry",
    ]
