"""Trying a rule on past articles before saving it (the admin's "Test" button)."""

from __future__ import annotations

from dataclasses import dataclass

from intel.matching import RuleMatch, find_matches
from intel.models import Article

DEFAULT_LIMIT = 200


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


def test_rule(
    *, algorithm: str, pattern: str, case_sensitive: bool, limit: int = DEFAULT_LIMIT
) -> tuple[int, list[ArticleHits]]:
    """Run the rule over the ``limit`` most recent articles: (articles searched, articles matched)."""
    articles = list(Article.objects.order_by("-id").only("id", "title", "url", "body")[:limit])
    hits = []
    for article in articles:
        matches = find_matches(article.body, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive)
        if matches:
            hits.append(ArticleHits(article, matches))
    return len(articles), hits
