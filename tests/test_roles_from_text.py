"""A person's title and company, read from the words around their name (``ingest.roles``).

Pure text analysis: no database. Sentences written for these tests.
"""

from __future__ import annotations

import re

import pytest

from intel.ingest.roles import CompanyName, role_of

ACME, BOLT = 1, 2


def _role(text: str, person: str, companies: dict[str, int]) -> tuple[str, int | None] | None:
    start = text.index(person)
    names = sorted(
        (CompanyName(m.start(), m.end(), record) for name, record in companies.items() for m in re.finditer(name, text)),
        key=lambda c: c.start,
    )
    return role_of(text, start, start + len(person), (0, len(text)), names)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We are pleased," said Acme chief executive Jane Doe.', ("chief executive", ACME)),
        ("Acme's chief operating officer Jane Doe explained the plan.", ("chief operating officer", ACME)),
        ("Acme Inc. chairman and chief executive Jane Doe said the deal was good.", ("chairman and chief executive", ACME)),
        ("Jane Doe, the chief executive of Acme, said profits rose.", ("chief executive", ACME)),
        ("Jane Doe, Acme's director of product, said the search engine was faster.", ("director of product", ACME)),
        ("Jane Doe, head of new media at Acme, said listeners would like it.", ("head of new media", ACME)),
    ],
)
def test_titles_next_to_a_company_name(text, expected):
    assert _role(text, "Jane Doe", {"Acme": ACME, "Bolt": BOLT}) == expected


def test_the_companys_title_belongs_to_the_company_named_before():
    text = "Acme sold its unit to Bolt. The company's chief executive Jane Doe said it was time."
    assert _role(text, "Jane Doe", {"Acme": ACME, "Bolt": BOLT}) == ("chief executive", BOLT)


def test_a_title_given_with_as_belongs_to_the_subject_company():
    text = "Acme has named company veteran Jane Doe as its next chief executive officer."
    assert _role(text, "Jane Doe", {"Acme": ACME}) == ("chief executive officer", ACME)


def test_a_public_office_has_no_company():
    text = "Acme shares fell after Trade Minister Jane Roe spoke."
    assert _role(text, "Jane Roe", {"Acme": ACME}) == ("trade minister", None)


def test_no_title_no_role():
    assert _role("Jane Doe said Acme would grow.", "Jane Doe", {"Acme": ACME}) is None
