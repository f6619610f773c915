"""Trying a rule on past articles before saving it (the admin's "Test" button)."""

from __future__ import annotations

from dataclasses import dataclass, field

from intel.matching import RuleMatch, RuleTimedOut, find_matches, rule_regex_timeout
from intel.models import Article

DEFAULT_LIMIT = 200
# Each timeout costs the whole time limit: past a few, the page would take minutes
# to answer what the first ones say already (the pattern is too slow).
MAX_TIMEOUTS = 3


@dataclass(frozen=True)
class ArticleHits:
    article: Article
    matches: list[RuleMatch]

    def snippets(self, width: int = 60) -> list[tuple[str, str, str]]:
        """(before, matched, after) for each match, for display."""
        body = self.article.body
        return [
            (body[max(0, m.start - width) : m.start], body[m.start : m.end], body[m.end : m.end + width])
            for m in self.matches[:5]
        ]


@dataclass(frozen=True)
class RuleTest:
    searched: int  # articles the rule ran on
    hits: list[ArticleHits]  # those it matches
    timed_out: list[Article] = field(default_factory=list)  # those its regular expression ran out of time on
    timeout: float = 0.0  # the time limit, seconds per article
    stopped: bool = False  # True when the test gave up after ``MAX_TIMEOUTS`` timeouts


def test_rule(*, algorithm: str, pattern: str, case_sensitive: bool, limit: int = DEFAULT_LIMIT) -> RuleTest:
    """Run the rule over the ``limit`` most recent articles, with ingestion's time limit."""
    articles = list(Article.objects.order_by("-id").only("id", "title", "url", "body")[:limit])
    timeout = rule_regex_timeout()
    hits, timed_out = [], []
    searched = 0
    for article in articles:
        searched += 1
        try:
            matches = find_matches(
                article.body, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive, timeout=timeout
            )
        except RuleTimedOut:
            timed_out.append(article)
            if len(timed_out) >= MAX_TIMEOUTS:
                return RuleTest(searched, hits, timed_out, timeout, stopped=searched < len(articles))
            continue
        if matches:
            hits.append(ArticleHits(article, matches))
    return RuleTest(searched, hits, timed_out, timeout)
