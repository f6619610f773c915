"""Two people merging the same pair at once: one merge wins, the other is refused cleanly."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from intel.merge import merge_companies
from intel.models import Company, CompanyAlias
from tests.factories import CompanyFactory, MentionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_crossed_concurrent_merges_leave_exactly_one_company():
    a, b = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Xiaomi Inc")
    MentionFactory(company=a)
    MentionFactory(company=b)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(keep: Company, drop: Company) -> None:
        try:
            barrier.wait()
            merge_companies(keep=keep, drop=drop)
            outcomes.append("merged")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=pair) for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["One of the companies to merge no longer exists.", "merged"]
    survivor = Company.objects.get()
    assert survivor.mentions.count() == 2
    other = "Xiaomi Inc" if survivor.name == "Xiaomi" else "Xiaomi"
    assert CompanyAlias.objects.filter(company=survivor, text=other).exists()
