"""factory_boy factories for the domain model."""

from __future__ import annotations

from datetime import date

import factory

from intel import models
from intel.choices import EventType, MarketKind, ParticipantRole, ReviewStatus


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Market

    name = factory.Sequence(lambda n: f"Testland {n}")
    kind = MarketKind.COUNTRY


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Company

    name = factory.Sequence(lambda n: f"Company {n}")


class ProposedCompanyFactory(CompanyFactory):
    review_status = ReviewStatus.PROPOSED
    method = "discovered"
    confidence = 0.6


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Person {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Product

    name = factory.Sequence(lambda n: f"Phone {n}")
    maker = factory.SubFactory(CompanyFactory)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    title = factory.Sequence(lambda n: f"Headline {n}")
    url = factory.Sequence(lambda n: f"https://news.example/story/{n}")
    body = factory.Sequence(lambda n: f"Company {n} plans to enter the Testland market next year. Story {n}.")
    published_on = date(2018, 7, 1)
    source = factory.SubFactory(SourceFactory)


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Mention

    article = factory.SubFactory(ArticleFactory)
    company = factory.SubFactory(CompanyFactory)
    start = 0
    end = 7
    text = "Company"
    method = "gazetteer"
    review_status = ReviewStatus.PROPOSED


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Event

    type = EventType.MARKET_ENTRY
    summary = factory.Sequence(lambda n: f"Event {n}")
    time_start = date(2019, 1, 1)
    time_end = date(2019, 12, 31)
    time_precision = "year"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EventParticipant

    event = factory.SubFactory(EventFactory)
    company = factory.SubFactory(CompanyFactory)
    role = ParticipantRole.ACTOR


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Tag

    namespace = "strategy"
    name = factory.Sequence(lambda n: f"theme-{n}")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Relationship

    subject = factory.SubFactory(CompanyFactory)
    object = factory.SubFactory(CompanyFactory)
    kind = "competitor"


# --- Monitoring ---------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"analyst{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Feed

    name = factory.Sequence(lambda n: f"Feed {n}")
    url = factory.Sequence(lambda n: f"https://feeds.example/{n}.xml")


class FeedEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FeedEntry

    feed = factory.SubFactory(FeedFactory)
    guid = factory.Sequence(lambda n: f"urn:test:entry:{n}")
    guid_hash = factory.LazyAttribute(lambda e: __import__("hashlib").sha256(e.guid.encode()).hexdigest())
    title = factory.Sequence(lambda n: f"Entry {n}")
    url = factory.Sequence(lambda n: f"https://news.example/entry/{n}")


class WatchlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Watchlist
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Watchlist {n}")
    owner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def companies(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.companies.add(*extracted)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Alert

    watchlist = factory.SubFactory(WatchlistFactory)
    article = factory.SubFactory(ArticleFactory)
    story = factory.SelfAttribute("article")
    relevance = 0.8
    headline = factory.SelfAttribute("article.title")
    message = "Headline\nrelevance 0.80: matched"
