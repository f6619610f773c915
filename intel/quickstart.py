"""What the quick start needs besides ``migrate``: the sample article, an admin account, and monitoring.

Monitoring works without the internet: the web server serves a sample feed at
``/sample/feed.xml`` (local settings allow that one host and port by name), and a
watchlist on Xiaomi makes the alerts its items raise appear in the admin.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from intel.choices import DatePrecision
from intel.ingest.dates import PublishedDate
from intel.ingest.pipeline import ingest_article
from intel.models import Article, Company, Feed, Watchlist

SAMPLE_ARTICLE = Path(settings.BASE_DIR) / "sample_data" / "xiaomi-us-market.txt"
SAMPLE_TITLE = "Xiaomi geared up to enter the US market next year"
# The seed article was published in July 2018 and cites a Reuters interview.
SAMPLE_PUBLISHED = date(2018, 7, 1)


def store_sample_article() -> tuple[Article, bool]:
    """Ingest the seed article once (the pipeline finds it again by its content hash later)."""
    result = ingest_article(
        raw=SAMPLE_ARTICLE.read_bytes(),
        filename=SAMPLE_ARTICLE.name,
        title=SAMPLE_TITLE,
        published=PublishedDate(SAMPLE_PUBLISHED, DatePrecision.MONTH),
    )
    return result.article, result.new


@dataclass(frozen=True)
class AdminAccount:
    username: str
    password: str | None  # None: the account existed and its password was left alone
    created: bool


def ensure_admin_account(*, username: str, password: str | None, password_file: Path) -> AdminAccount:
    """Create the superuser if missing. A password given is (re)set; otherwise one is generated once.

    The generated password is kept in ``password_file`` (mode 600) so that a second
    run can print it again instead of leaving the user locked out.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if not password_file.exists() or password_file.read_text().strip() != password:
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        return AdminAccount(username, password, created=True)
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
        return AdminAccount(username, password, created=False)
    saved = password_file.read_text().strip() if password_file.exists() else None
    return AdminAccount(username, saved, created=False)


SAMPLE_FEED_NAME = "Sample feed (served by this app)"
SAMPLE_WATCHLIST = "Xiaomi"


def sample_feed_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/sample/feed.xml"


def ensure_sample_monitoring(*, port: int, owner_username: str) -> tuple[Feed, Watchlist | None]:
    """The sample feed (its URL follows the web port) and a watchlist on Xiaomi for the admin user.

    Safe to run again: the feed keeps its history; alerts are one per story anyway.
    """
    feed = Feed.objects.filter(name=SAMPLE_FEED_NAME).first() or Feed(name=SAMPLE_FEED_NAME)
    if feed.url != sample_feed_url(port):
        feed.url = sample_feed_url(port)
        feed.etag = feed.last_modified = ""
    feed.save()
    owner = get_user_model().objects.filter(username=owner_username).first()
    xiaomi = Company.objects.filter(name__iexact="Xiaomi").first()
    if owner is None or xiaomi is None:
        return feed, None
    watchlist, created = Watchlist.objects.get_or_create(
        owner=owner, name=SAMPLE_WATCHLIST, defaults={"min_relevance": 0.5, "in_app": True}
    )
    if created:
        watchlist.companies.add(xiaomi)
    return feed, watchlist
