"""What ``Company.watched`` means: watching a company puts it on your default watchlist.

``watched`` is one flag per company, set from the company list, the company form,
a CSV import or the API. On its own it alerted no one: alerts come from watchlists,
each owned by one person. So setting it is also an act of the person who set it:
the company joins that person's default watchlist ("My watchlist", in-app alerts
on, made on first use), and unsetting it takes the company off that list. Other
people's watchlists are theirs and are left alone.

The dashboard lists ``Company.objects.filter(watched=True)`` and the person's
``default_watchlist(user)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from intel.models import Company, Watchlist

DEFAULT_WATCHLIST_NAME = "My watchlist"
# Companies bound per statement: far below SQLite's limit on bound parameters.
_CHUNK = 500


def default_watchlist(user: AbstractBaseUser) -> Watchlist:
    """The user's default watchlist, made on first use (in-app alerts on, nothing else sent).

    Found by its name, which is unique per owner: renaming it makes the next watched
    company start a new default list.
    """
    watchlist, _ = Watchlist.objects.get_or_create(owner=user, name=DEFAULT_WATCHLIST_NAME, defaults={"in_app": True})
    return watchlist


def set_watched(companies: Iterable[Company], watched: bool, *, by: AbstractBaseUser) -> Watchlist:
    """Set ``watched`` on the companies and add them to (or take them off) ``by``'s default watchlist.

    Only companies whose flag differs are saved, each with a history row naming
    ``by``; the list is updated for all of them, so calling this after a form has
    saved the flag still files the companies. Returns the default watchlist.
    """
    pks = sorted({company.pk for company in companies if company.pk is not None})
    reason = "Watched" if watched else "No longer watched"
    with transaction.atomic():
        watchlist = default_watchlist(by)
        for start in range(0, len(pks), _CHUNK):
            chunk = pks[start : start + _CHUNK]
            for company in Company.objects.filter(pk__in=chunk).exclude(watched=watched):
                company.watched = watched
                company._history_user = by  # type: ignore[attr-defined]
                company._change_reason = reason  # type: ignore[attr-defined]
                company.save(update_fields=["watched", "updated_at"])
            if watched:
                watchlist.companies.add(*chunk)
            else:
                watchlist.companies.remove(*chunk)
    return watchlist
