"""Watchlists (what an analyst watches), the alerts they raise, and the deliveries of those alerts."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from intel.choices import AlertChannel, AlertKind, DeliveryMode, DeliveryStatus, EventType

from .leases import Leased


class Watchlist(models.Model):
    """What one person watches, and how they want to hear about it.

    An article is relevant when it mentions the watched companies, markets or people,
    or the keywords (more so in the headline and lead than in passing), or carries one
    of the event types. Below ``min_relevance`` nothing is raised. Alerts appear in
    the admin (in-app) and are sent by e-mail and/or to a Slack-compatible webhook,
    immediately or as one daily digest.
    """

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlists")
    companies = models.ManyToManyField("intel.Company", blank=True, related_name="watchlists")
    markets = models.ManyToManyField("intel.Market", blank=True, related_name="watchlists")
    people = models.ManyToManyField("intel.Person", blank=True, related_name="watchlists")
    keywords = models.TextField(blank=True, help_text="One word or phrase per line, matched ignoring case.")
    event_types = models.JSONField(
        default=list, blank=True, help_text="Event types to watch for (market_entry, partnership …)."
    )
    min_relevance = models.FloatField(
        default=0.5, help_text="0 to 1. A passing mention scores about 0.3, the lead 0.8, the headline 1."
    )
    in_app = models.BooleanField(default=True, verbose_name="in-app alerts", help_text="Show alerts in the admin.")
    email = models.BooleanField(default=False, verbose_name="e-mail alerts")
    email_to = models.EmailField(blank=True, help_text="Where e-mail goes; the owner's address if empty.")
    webhook_url = models.URLField(
        max_length=2000, blank=True, verbose_name="webhook URL", help_text="Receives a Slack-compatible JSON body."
    )
    delivery = models.CharField(max_length=16, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE)
    digest_hour = models.PositiveSmallIntegerField(default=8, help_text="Hour of the day (UTC) the digest is sent.")
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="intel_watchlist_unique_name_per_owner",
                violation_error_message="You already have a watchlist with this name.",
            ),
            models.CheckConstraint(
                condition=Q(min_relevance__gte=0) & Q(min_relevance__lte=1),
                name="intel_watchlist_relevance_range",
                violation_error_message="The minimum relevance is between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=Q(digest_hour__lte=23),
                name="intel_watchlist_digest_hour",
                violation_error_message="The digest hour is between 0 and 23.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.event_types, list) or not all(isinstance(v, str) for v in self.event_types):
            raise ValidationError({"event_types": 'A list of event types, such as ["market_entry"].'})
        unknown = sorted(set(self.event_types) - set(EventType.values))
        if unknown:
            raise ValidationError({"event_types": f"Unknown event type(s): {', '.join(unknown)}."})
        if self.webhook_url and not self.webhook_url.lower().startswith(("http://", "https://")):
            raise ValidationError({"webhook_url": "Only http and https webhooks."})

    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]

    def channels(self) -> list[str]:
        """The channels an alert is sent on besides the admin."""
        found = []
        if self.email:
            found.append(AlertChannel.EMAIL)
        if self.webhook_url:
            found.append(AlertChannel.WEBHOOK)
        return found


class Alert(models.Model):
    """One story that matters to one watchlist.

    A *story* is an article and its near-duplicates (the same text syndicated by ten
    outlets): ``(watchlist, story)`` is unique, so copies never raise a second alert.
    An article that adds evidence to an event already known is an alert of its own
    kind, "new source for: …", naming the event and its independent sources.
    """

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="alerts")
    story = models.ForeignKey(
        "intel.Article",
        on_delete=models.CASCADE,
        related_name="story_alerts",
        help_text="The first article of the story (near-duplicates point to it).",
    )
    article = models.ForeignKey(
        "intel.Article", on_delete=models.CASCADE, related_name="alerts", help_text="The article that raised it."
    )
    kind = models.CharField(max_length=16, choices=AlertKind.choices, default=AlertKind.NEW_STORY)
    event = models.ForeignKey(
        "intel.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        help_text="The known event the article adds evidence to, or the new event it reports.",
    )
    independent_sources = models.PositiveIntegerField(null=True, blank=True)
    relevance = models.FloatField()
    reasons = models.JSONField(default=list, blank=True, help_text="Why the article is relevant.")
    headline = models.CharField(max_length=500)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "story"], name="intel_alert_one_per_story"),
            models.CheckConstraint(
                condition=Q(relevance__gte=0) & Q(relevance__lte=1), name="intel_alert_relevance_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.watchlist}: {self.headline}"


class AlertDelivery(Leased):
    """Sending one alert on one channel (e-mail or webhook), retried with backoff and logged.

    A pending delivery is due at ``next_attempt_at``. The task sending it holds a lease
    (:class:`~intel.models.leases.Leased`; an immediate delivery is leased from the
    start); the dispatcher claims due deliveries no one holds, so a delivery whose task
    was lost is sent again when its lease runs out. Digest deliveries have no
    ``next_attempt_at``: the daily digest sends them together.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=AlertChannel.choices)
    digest = models.BooleanField(default=False, help_text="Waits for the watchlist's daily digest.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    log = models.TextField(blank=True, help_text="One line per attempt.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "alert delivery"
        verbose_name_plural = "alert deliveries"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="intel_alertdelivery_one_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} for alert {self.alert_id}: {self.get_status_display()}"
