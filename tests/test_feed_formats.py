"""Every feed format is read into the same entries, and hostile content is cleaned or refused."""

from __future__ import annotations

import json

import feedparser
import pytest

from intel.monitoring import parsing
from intel.monitoring.content import clean_html, fragment_text, safe_link
from intel.monitoring.parsing import FeedParseError, parse_feed
from tests import feeds

ITEMS = [
    {"guid": "urn:a", "title": "Xiaomi enters Spain", "link": "https://news.example/a", "text": "<p>First.</p>"},
    {"guid": "urn:b", "title": "Oppo enters Italy", "link": "https://news.example/b", "text": "<p>Second.</p>"},
]

RSS_1_0 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://news.example/"><title>RDF news</title><link>https://news.example/</link></channel>
<item rdf:about="https://news.example/a"><title>Xiaomi enters Spain</title><link>https://news.example/a</link>
<description>&lt;p&gt;First.&lt;/p&gt;</description></item>
<item rdf:about="https://news.example/b"><title>Oppo enters Italy</title><link>https://news.example/b</link>
<description>&lt;p&gt;Second.&lt;/p&gt;</description></item>
</rdf:RDF>"""


@pytest.mark.parametrize(
    "content",
    [feeds.rss(ITEMS), feeds.rss(ITEMS, version="0.91"), RSS_1_0, feeds.atom(ITEMS), feeds.json_feed(ITEMS)],
    ids=["rss-2.0", "rss-0.91", "rss-1.0", "atom", "json-feed"],
)
def test_every_format_gives_the_same_entries(content):
    parsed = parse_feed(content, url="https://news.example/feed")
    assert [(e.title, e.url, e.text) for e in parsed.entries] == [
        ("Xiaomi enters Spain", "https://news.example/a", "First."),
        ("Oppo enters Italy", "https://news.example/b", "Second."),
    ]
    assert all(e.guid for e in parsed.entries)


def test_rss_dates_ttl_and_item_sources_are_read():
    parsed = parse_feed(feeds.rss([{**ITEMS[0], "source": "TechWire"}], ttl=30), url="https://news.example/feed")
    entry = parsed.entries[0]
    assert parsed.ttl_seconds == 30 * 60
    assert entry.published_at.isoformat() == "2018-11-20T10:00:00+00:00"
    assert entry.source_name == "TechWire"


def test_gdelt_article_lists_are_read_and_empty_answers_are_no_entries():
    content = feeds.gdelt([{"link": "https://outlet.example/x", "title": "Xiaomi in Kenya", "domain": "outlet.example"}])
    entry = parse_feed(content, url="https://api.gdeltproject.org/api/v2/doc/doc?query=x").entries[0]
    assert (entry.url, entry.title, entry.source_name) == ("https://outlet.example/x", "Xiaomi in Kenya", "outlet.example")
    assert entry.published_at.isoformat() == "2018-11-20T10:00:00+00:00"
    assert parse_feed(b"{}", url="https://api.gdeltproject.org/x").entries == []


def test_feed_html_is_cleaned_of_scripts_styles_handlers_and_images():
    hostile = (
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a> <a href="https://ok.example/">y</a></p>'
        '<script>alert(1)</script><style>p{}</style><img src="https://tracker.example/p.gif"><iframe src="x"></iframe>'
    )
    parsed = parse_feed(feeds.rss([{**ITEMS[0], "text": hostile}]), url="https://news.example/feed")
    cleaned = parsed.entries[0].summary_html
    for bad in ("onclick", "javascript", "<script", "alert", "<style", "<img", "tracker", "<iframe"):
        assert bad not in cleaned
    assert 'href="https://ok.example/"' in cleaned
    assert 'rel="noopener noreferrer nofollow"' in cleaned
    assert parsed.entries[0].text == "Hi x y"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java&#x73;cript:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://files.example/x",
        "\x01javascript:alert(1)",
    ],
)
def test_links_that_are_not_http_or_https_are_dropped(link):
    assert safe_link(link) == ""
    assert safe_link(link, "https://news.example/feed") in ("", "https://news.example/" + link.strip())
    assert not safe_link(link, "https://news.example/feed").lower().startswith(("javascript", "data", "vbscript"))


def test_a_percent_encoded_scheme_is_only_a_harmless_relative_path():
    assert safe_link("%6Aavascript:alert(1)") == ""
    assert safe_link("%6Aavascript:alert(1)", "https://news.example/feed").startswith("https://news.example/")


def test_relative_links_are_resolved_against_the_feed():
    parsed = parse_feed(feeds.rss([{**ITEMS[0], "link": "/stories/a"}]), url="https://news.example/feeds/main.xml")
    assert parsed.entries[0].url == "https://news.example/stories/a"


def test_html_becomes_text_with_paragraphs_and_entities_decoded():
    assert fragment_text("<h1>Title</h1><p>One &amp; two</p><p>Three<br>four</p>") == "Title\n\nOne & two\n\nThree\n\nfour"
    assert clean_html("") == ""


def test_broken_xml_without_entries_is_a_clear_error():
    with pytest.raises(FeedParseError, match="not an RSS, Atom or JSON feed"):
        parse_feed(b"<html><body><p>Not a feed</p>", url="https://news.example/")


def test_broken_xml_with_items_is_read_as_far_as_it_goes():
    truncated = feeds.rss(ITEMS)[:-40]
    assert [e.title for e in parse_feed(truncated, url="https://news.example/").entries][:1] == ["Xiaomi enters Spain"]


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<rss><channel><item><title>&b;</title></item></channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
        b"<item><title>&x;</title></item></channel></rss>",
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode("utf-16"),
    ],
    ids=["billion-laughs", "external-entity", "utf-16"],
)
def test_entity_declarations_are_refused_before_feedparser_sees_them(content, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("feedparser was given a document declaring entities")

    monkeypatch.setattr(feedparser, "parse", must_not_run)
    with pytest.raises(FeedParseError, match="ENTITY"):
        parse_feed(content, url="https://news.example/feed")


def test_a_huge_feed_is_read_from_the_top_only():
    many = [{"guid": f"urn:{i}", "title": f"Item {i}"} for i in range(parsing.MAX_ENTRIES + 50)]
    parsed = parse_feed(feeds.rss(many), url="https://news.example/feed")
    assert len(parsed.entries) == parsing.MAX_ENTRIES
    assert parsed.entries[0].title == "Item 0"


def test_json_that_is_not_a_feed_is_a_clear_error():
    with pytest.raises(FeedParseError, match="neither a JSON Feed nor a GDELT"):
        parse_feed(json.dumps({"hello": "world"}).encode(), url="https://news.example/feed.json")
    with pytest.raises(FeedParseError, match="not valid JSON"):
        parse_feed(b"{not json", url="https://news.example/feed.json")


def test_an_empty_response_is_a_clear_error():
    with pytest.raises(FeedParseError, match="empty"):
        parse_feed(b"  \n", url="https://news.example/feed")


def test_a_json_feed_item_gives_its_plain_body_as_text_and_its_summary_as_summary():
    import json

    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire",
        "items": [{"id": "1", "url": "https://news.example/1", "title": "T", "summary": "Short.",
                   "content_text": "Xiaomi plans to enter the US market next year."}],
    }  # fmt: skip
    (entry,) = parse_feed(json.dumps(doc).encode(), url="https://news.example/feed.json").entries
    assert entry.text == "Xiaomi plans to enter the US market next year."
    assert entry.summary_html == "Short."


def test_nul_characters_from_a_feed_are_dropped_so_its_items_can_be_stored():
    import json

    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wi\u0000re",
        "items": [{"id": "a\u0000b", "url": "https://news.example/1", "title": "T\u0000",
                   "content_text": "Bo\u0000dy", "summary": "S\u0000"}],
    }  # fmt: skip
    (entry,) = parse_feed(json.dumps(doc).encode(), url="https://news.example/feed.json").entries
    assert (entry.guid, entry.title, entry.text, entry.summary_html, entry.source_name) == ("ab", "T", "Body", "S", "Wire")
