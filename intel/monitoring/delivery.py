"""Sending alerts: e-mail through Django's mail backend, and Slack-compatible webhooks.

A delivery is claimed with a compare-and-set on its ``attempts`` count (no lock is
held while the mail server or the webhook answers), so two runs of the same task
never both send it. The run that wins takes the delivery's lease
(``intel/models/leases.py``) while it sends: if its worker dies, the dispatcher sends
the delivery again when the lease runs out. Every attempt adds a line to the
delivery's log and ends the lease; a failure is retried at ``next_attempt_at``, with
exponential backoff, until ``RIVALSCOPE_MONITOR_DELIVERY_ATTEMPTS``, then marked failed.
Webhooks go through the safe fetcher like everything else: a webhook URL pointing
into our own network is refused.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db.models import Q
from django.utils import timezone

from intel.choices import AlertChannel, DeliveryStatus
from intel.fetch import FetchError, fetch_url
from intel.models import Alert, AlertDelivery, Watchlist
from intel.models.leases import NO_LEASE, new_lease

from .schedule import backoff_seconds

logger = logging.getLogger(__name__)

RETRY_BASE = 60  # seconds before the first retry
RETRY_CAP = 6 * 60 * 60
WEBHOOK_TIMEOUT = 10.0


class DeliveryError(Exception):
    """Sending failed; the message says why, for the delivery log. ``permanent`` when
    trying again cannot help (the address policy refuses the webhook's host)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def slack_escape(text: str) -> str:
    """Slack's three control characters, escaped: feed text cannot ping @channel or forge links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def send(channel: str, watchlist: Watchlist, *, subject: str, text: str) -> None:
    """Send ``text`` on one channel of ``watchlist``, or raise DeliveryError."""
    if channel == AlertChannel.EMAIL:
        address = watchlist.email_to or watchlist.owner.email
        if not address:
            raise DeliveryError("No e-mail address: set the watchlist's e-mail or its owner's.")
        try:
            send_mail(f"[rivalscope] {_one_line(subject)}", text, None, [address], fail_silently=False)
        except (smtplib.SMTPException, OSError, BadHeaderError) as exc:
            raise DeliveryError(f"The mail server refused or failed: {exc}") from exc
    elif channel == AlertChannel.WEBHOOK:
        if not watchlist.webhook_url:
            raise DeliveryError("The watchlist has no webhook URL any more.")
        try:
            fetch_url(
                watchlist.webhook_url,
                method="POST",
                json_body={"text": slack_escape(f"*{_one_line(subject)}*\n{text}")},
                timeout=WEBHOOK_TIMEOUT,
                max_bytes=64 * 1024,
            )
        except FetchError as exc:
            raise DeliveryError(f"The webhook failed: {exc}", permanent=exc.by_policy) from exc
    else:
        raise DeliveryError(f"Unknown channel {channel!r}.")


def _log_line(now: datetime, attempt: int, outcome: str) -> str:
    return f"{now:%Y-%m-%d %H:%M:%S} attempt {attempt}: {outcome}\n"


def deliver(*, delivery_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Send each pending delivery once; return delivery id → "sent", "retry", "failed" or "skipped"."""
    return {pk: deliver_one(pk, now=now) for pk in delivery_ids}


def deliver_one(delivery_id: int, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    delivery = (
        AlertDelivery.objects.select_related("alert__watchlist__owner")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return "skipped"
    attempt = delivery.attempts + 1
    # Compare-and-set: only the run that moves attempts from what it read sends.
    claimed = AlertDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(attempts=attempt, last_attempt_at=now, **new_lease(now))
    if not claimed:
        return "skipped"
    alert = delivery.alert
    try:
        send(delivery.channel, alert.watchlist, subject=f"{alert.watchlist.name}: {alert.headline}", text=alert.message)
    except DeliveryError as exc:
        return _failed([delivery], str(exc), now=now, attempts={delivery.pk: attempt}, permanent=exc.permanent)
    AlertDelivery.objects.filter(pk=delivery_id, attempts=attempt).update(
        **NO_LEASE,
        status=DeliveryStatus.SENT,
        sent_at=now,
        last_error="",
        log=delivery.log + _log_line(now, attempt, "sent"),
    )
    return "sent"


def _failed(
    deliveries: list[AlertDelivery], error: str, *, now: datetime, attempts: dict[int, int], permanent: bool = False
) -> str:
    limit = settings.RIVALSCOPE_MONITOR_DELIVERY_ATTEMPTS
    outcome = "retry"
    for delivery in deliveries:
        attempt = attempts[delivery.pk]
        gave_up = permanent or attempt >= limit
        outcome = "failed" if gave_up else "retry"
        wait = backoff_seconds(attempt, base=RETRY_BASE, cap=RETRY_CAP)
        AlertDelivery.objects.filter(pk=delivery.pk, attempts=attempt).update(
            **NO_LEASE,
            status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
            # A digest delivery that failed is retried on its own, not in tomorrow's digest.
            digest=False,
            next_attempt_at=None if gave_up else now + timedelta(seconds=wait),
            last_error=error[:2000],
            log=delivery.log + _log_line(now, attempt, f"failed: {error}" + (" (given up)" if gave_up else "")),
        )
        logger.warning("alert delivery %s attempt %s failed: %s", delivery.pk, attempt, error)
    return outcome


def send_digest(*, watchlist_id: int, now: datetime | None = None) -> int:
    """Send a watchlist's pending digest deliveries together, once a day; return how many alerts it held."""
    now = now or timezone.now()
    watchlist = Watchlist.objects.select_related("owner").filter(pk=watchlist_id).first()
    if watchlist is None:
        return 0
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Compare-and-set on last_digest_at: one run per day sends, however many were queued.
    claimed = (
        Watchlist.objects.filter(pk=watchlist_id)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=today))
        .update(last_digest_at=now)
    )
    if not claimed:
        return 0
    pending = list(
        AlertDelivery.objects.filter(alert__watchlist_id=watchlist_id, status=DeliveryStatus.PENDING, digest=True)
        .select_related("alert")
        .order_by("alert__created_at", "pk")
    )
    sent_alerts: set[int] = set()
    for channel in {d.channel for d in pending}:
        batch = [d for d in pending if d.channel == channel]
        alerts: list[Alert] = [d.alert for d in batch]
        text = f"{len(alerts)} alert(s) for {watchlist.name} since the last digest.\n\n" + "\n\n".join(
            a.message for a in alerts
        )
        attempts = {d.pk: d.attempts + 1 for d in batch}
        try:
            send(channel, watchlist, subject=f"{watchlist.name}: daily digest", text=text)
        except DeliveryError as exc:
            for d in batch:
                AlertDelivery.objects.filter(pk=d.pk).update(attempts=attempts[d.pk], last_attempt_at=now)
            _failed(batch, str(exc), now=now, attempts=attempts, permanent=exc.permanent)
            continue
        for d in batch:
            AlertDelivery.objects.filter(pk=d.pk).update(
                status=DeliveryStatus.SENT,
                attempts=attempts[d.pk],
                last_attempt_at=now,
                sent_at=now,
                log=d.log + _log_line(now, attempts[d.pk], "sent in the daily digest"),
            )
        sent_alerts.update(a.pk for a in alerts)
    return len(sent_alerts)
