"""Time phrases as news writes them, resolved against the publication date (intel.ingest.timex).

Tense decides which way an undated month, day or weekday points; "by", "since", "between ... and",
"the year to ..." and spans such as "over the next 18 months" make ranges. The companies and
sentences are invented for these tests.
"""

from __future__ import annotations

from datetime import date

import pytest

from intel.ingest.timex import find_time_expressions

FRIDAY_JUNE_15_2018 = date(2018, 6, 15)
WEDNESDAY_JUNE_13_2018 = date(2018, 6, 13)


def resolved(text: str, reference: date, precision: str = "day") -> list[tuple[str, str | None, str | None]]:
    """Each phrase of ``text`` with its range as ISO dates."""
    return [
        (
            e.phrase,
            e.date_start.isoformat() if e.date_start else None,
            e.date_end.isoformat() if e.date_end else None,
        )
        for e in find_time_expressions(text, reference=reference, reference_precision=precision)
    ]


def one(text: str, reference: date, precision: str = "day") -> tuple[str, str | None, str | None]:
    found = resolved(text, reference, precision)
    assert len(found) == 1, found
    return found[0]


# 1. A month without a year follows the tense of its sentence


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "Northwind Mobile was fined in March over its billing.",
            FRIDAY_JUNE_15_2018,
            ("March", "2018-03-01", "2018-03-31"),
        ),
        (
            "The watchdog said in March that the brewer had misled buyers.",
            date(2018, 2, 10),
            ("March", "2017-03-01", "2017-03-31"),
        ),
        ("Kestrel Foods shut its last bakery in October.", date(2018, 2, 10), ("October", "2017-10-01", "2017-10-31")),
        (
            "In September, the insurer had lowered its outlook.",
            FRIDAY_JUNE_15_2018,
            ("September", "2017-09-01", "2017-09-30"),
        ),
        ("Its bonds have rallied since October.", date(2019, 2, 1), ("since October", "2018-10-01", "2019-02-01")),
    ],
)
def test_a_bare_month_in_a_past_tense_sentence_is_the_latest_one_before_publication(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "Northwind Mobile will start the service in March.",
            FRIDAY_JUNE_15_2018,
            ("March", "2019-03-01", "2019-03-31"),
        ),
        (
            "The glassmaker plans to open a furnace in April.",
            FRIDAY_JUNE_15_2018,
            ("April", "2019-04-01", "2019-04-30"),
        ),
        (
            "The takeover is expected to finish in January.",
            FRIDAY_JUNE_15_2018,
            ("January", "2019-01-01", "2019-01-31"),
        ),
        ("A new chair is to be appointed in July.", FRIDAY_JUNE_15_2018, ("July", "2018-07-01", "2018-07-31")),
        ("The scooter will reach shops in December.", FRIDAY_JUNE_15_2018, ("December", "2018-12-01", "2018-12-31")),
    ],
)
def test_a_bare_month_in_a_future_tense_sentence_is_the_next_one_after_publication(text, reference, expected):
    assert one(text, reference) == expected


def test_the_cue_word_nearest_each_phrase_decides_its_tense():
    text = "Kestrel Foods said on Monday it will list its shares in March."
    assert resolved(text, WEDNESDAY_JUNE_13_2018) == [
        ("Monday", "2018-06-11", "2018-06-11"),
        ("March", "2019-03-01", "2019-03-31"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ferry line dropped its night sailings on 2 May.", ("2 May", "2018-05-02", "2018-05-02")),
        ("The ferry line will drop its night sailings from 2 May.", ("2 May", "2019-05-02", "2019-05-02")),
        ("Registration opens on July 3 for members.", ("July 3", "2018-07-03", "2018-07-03")),
    ],
)
def test_a_day_without_a_year_follows_the_tense_or_else_is_the_nearest(text, expected):
    assert one(text, FRIDAY_JUNE_15_2018) == expected


# 2. Weekdays: the latest on or before publication in the past tense, the next after it in the future


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shares in the brewer dropped 6% on Monday.", ("Monday", "2018-06-11", "2018-06-11")),
        ("The lender said Friday it had closed 40 branches.", ("Friday", "2018-06-08", "2018-06-08")),
        ("Directors backed the sale on Wednesday.", ("Wednesday", "2018-06-13", "2018-06-13")),
        ("News of the bid leaked on Tuesday night.", ("Tuesday night", "2018-06-12", "2018-06-12")),
        ("On Sunday, the grid operator restored power.", ("Sunday", "2018-06-10", "2018-06-10")),
    ],
)
def test_a_past_tense_weekday_is_the_latest_such_day_on_or_before_publication(text, expected):
    assert one(text, WEDNESDAY_JUNE_13_2018) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Both boards are expected to approve the merger on Monday.", ("Monday", "2018-06-18", "2018-06-18")),
        ("The union will vote on Wednesday.", ("Wednesday", "2018-06-20", "2018-06-20")),
        ("Dealing in the new stock will start on Friday.", ("Friday", "2018-06-15", "2018-06-15")),
        ("Offers must arrive by Monday.", ("by Monday", "2018-06-13", "2018-06-18")),
    ],
)
def test_a_future_tense_weekday_is_the_next_such_day_after_publication(text, expected):
    assert one(text, WEDNESDAY_JUNE_13_2018) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Figures are published next Tuesday.", ("next Tuesday", "2018-06-19", "2018-06-19")),
        ("Figures were published last Wednesday.", ("last Wednesday", "2018-06-06", "2018-06-06")),
        ("Figures are published this Friday.", ("this Friday", "2018-06-15", "2018-06-15")),
    ],
)
def test_next_last_and_this_name_a_weekday_relative_to_the_publication_week(text, expected):
    assert one(text, WEDNESDAY_JUNE_13_2018) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Black Friday traffic beat forecasts.",
        "The Sunday Times first reported the approach.",
        "The carrier dropped its Saturday-night minimum stay.",
        "The depot opens on weekdays.",
    ],
)
def test_names_that_contain_a_weekday_are_not_days(text):
    assert resolved(text, WEDNESDAY_JUNE_13_2018) == []


def test_the_weekend_is_the_one_just_past_or_under_way_by_tense():
    assert one("Negotiators met over the weekend.", date(2018, 6, 14)) == ("the weekend", "2018-06-09", "2018-06-10")
    assert one("Terms will be settled over the weekend.", date(2018, 6, 16)) == (
        "the weekend",
        "2018-06-16",
        "2018-06-17",
    )
    assert one("Outlets reopen this weekend.", date(2018, 6, 15)) == ("this weekend", "2018-06-16", "2018-06-17")


# 3. Ranges


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "Tickets were discounted between 12 January and 10 February.",
            date(2018, 3, 1),
            ("between 12 January and 10 February", "2018-01-12", "2018-02-10"),
        ),
        (
            "The mine's output doubled between 2011 and 2013.",
            date(2016, 1, 1),
            ("between 2011 and 2013", "2011-01-01", "2013-12-31"),
        ),
        (
            "The bond pays interest between January 2012 and July 2017.",
            date(2013, 2, 1),
            ("between January 2012 and July 2017", "2012-01-01", "2017-07-31"),
        ),
        (
            "Exports climbed from March to May 2016.",
            date(2016, 7, 1),
            ("from March to May 2016", "2016-03-01", "2016-05-31"),
        ),
        (
            "The promotion ran from 20 December to 5 January.",
            date(2018, 1, 20),
            ("from 20 December to 5 January", "2017-12-20", "2018-01-05"),
        ),
    ],
)
def test_between_and_from_make_one_range_and_lend_a_missing_year(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "The shipyard warned of a loss for the year to March 2021.",
            date(2020, 11, 2),
            ("the year to March 2021", "2020-04-01", "2021-03-31"),
        ),
        (
            "Margins narrowed in its financial year to June 2019.",
            date(2019, 9, 1),
            ("financial year to June 2019", "2018-07-01", "2019-06-30"),
        ),
        (
            "The chain lost $40m in the three months to September.",
            date(2019, 11, 20),
            ("the three months to September", "2019-07-01", "2019-09-30"),
        ),
        (
            "Turnover rose 8% in the six months ended 30 June.",
            date(2018, 8, 1),
            ("the six months ended 30 June", "2018-01-01", "2018-06-30"),
        ),
    ],
)
def test_a_period_to_a_month_ends_with_that_month(text, reference, expected):
    assert one(text, reference) == expected


# 4. Seasons (meteorological)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("The purchase should close next summer.", FRIDAY_JUNE_15_2018, ("next summer", "2019-06-01", "2019-08-31")),
        ("The purchase should close next summer.", date(2018, 2, 1), ("next summer", "2018-06-01", "2018-08-31")),
        ("The label was revived this spring.", FRIDAY_JUNE_15_2018, ("this spring", "2018-03-01", "2018-05-31")),
        ("The tablet comes back in Spring 2019.", date(2018, 11, 1), ("Spring 2019", "2019-03-01", "2019-05-31")),
        ("Charter flights ended in autumn 2014.", date(2016, 1, 11), ("autumn 2014", "2014-09-01", "2014-11-30")),
        ("Bookings dipped in the summer.", date(2017, 12, 1), ("the summer", "2017-06-01", "2017-08-31")),
        ("The grocer will hire staff in the winter.", date(2018, 10, 1), ("the winter", "2018-12-01", "2019-02-28")),
        ("Gas demand was weak last winter.", date(2018, 6, 1), ("last winter", "2017-12-01", "2018-02-28")),
        ("The headset ships this fall.", date(2018, 6, 1), ("this fall", "2018-09-01", "2018-11-30")),
    ],
)
def test_seasons_are_meteorological(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Analysts expect a fall in orders.",
        "The resort bottles hot spring water.",
        "Travellers flew in Spring Airlines jets.",
    ],
)
def test_season_words_without_a_time_cue_are_not_seasons(text):
    assert resolved(text, FRIDAY_JUNE_15_2018) == []


def test_by_a_season_runs_from_publication_to_its_end():
    assert one("The partners aim to finish the plant by Spring 2019.", date(2018, 11, 5)) == (
        "by Spring 2019",
        "2018-11-05",
        "2019-05-31",
    )


# 5. by / since / before, spans, weeks, months, quarters


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("The port wants to handle 2m containers by 2022.", date(2019, 3, 4), ("by 2022", "2019-03-04", "2022-12-31")),
        ("Approval should come by April 2019.", date(2019, 1, 21), ("by April 2019", "2019-01-21", "2019-04-30")),
        ("The unit should be profitable by Q2 2020.", date(2019, 8, 3), ("by Q2 2020", "2019-08-03", "2020-06-30")),
        (
            "Old meters will be replaced by the end of the year.",
            date(2019, 2, 14),
            ("by the end of the year", "2019-02-14", "2019-12-31"),
        ),
        ("The price cap stays till 2021.", date(2019, 1, 13), ("till 2021", "2019-01-13", "2021-12-31")),
        (
            "The tenancy runs until at least 2030.",
            date(2019, 1, 15),
            ("until at least 2030", "2019-01-15", "2030-12-31"),
        ),
    ],
)
def test_by_x_runs_from_publication_to_the_end_of_x(text, reference, expected):
    assert one(text, reference) == expected


def test_a_deadline_already_past_keeps_its_own_period():
    assert one("By 2012 the chain had 900 outlets.", date(2019, 2, 4)) == ("2012", "2012-01-01", "2012-12-31")


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "Its share of the market has tripled since 2014.",
            date(2019, 2, 4),
            ("since 2014", "2014-01-01", "2019-02-04"),
        ),
        (
            "The drug has been on trial since April 2017.",
            date(2019, 2, 1),
            ("since April 2017", "2017-04-01", "2019-02-01"),
        ),
        ("Since last year, rents have eased.", date(2019, 2, 1), ("Since last year", "2018-01-01", "2019-02-01")),
    ],
)
def test_since_x_runs_from_the_start_of_x_to_publication(text, reference, expected):
    assert one(text, reference) == expected


def test_before_a_year_still_ahead_runs_from_publication_to_the_day_before_it():
    assert one("The retailer will not reopen before 2024.", date(2019, 1, 15)) == (
        "before 2024",
        "2019-01-15",
        "2023-12-31",
    )


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "Orders will rise over the next 18 months.",
            FRIDAY_JUNE_15_2018,
            ("the next 18 months", "2018-06-15", "2019-12-15"),
        ),
        (
            "The broker may distribute the funds over the next 7 years.",
            date(2019, 1, 31),
            ("the next 7 years", "2019-01-31", "2026-01-31"),
        ),
        (
            "Customers will be contacted over the next 12 days.",
            date(2019, 3, 15),
            ("the next 12 days", "2019-03-15", "2019-03-27"),
        ),
        (
            "Price pressure will ease in the next year.",
            date(2019, 2, 14),
            ("in the next year", "2019-02-14", "2020-02-14"),
        ),
        ("The refund arrives within 60 days.", date(2019, 2, 14), ("within 60 days", "2019-02-14", "2019-04-15")),
    ],
)
def test_over_the_next_n_units_runs_n_units_from_publication(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        (
            "The founder has sold shares in the past four years.",
            date(2019, 2, 21),
            ("the past four years", "2015-02-21", "2019-02-21"),
        ),
        (
            "Subscriptions have dropped 12% in the past year.",
            date(2019, 2, 4),
            ("in the past year", "2018-02-04", "2019-02-04"),
        ),
        (
            "Ticket sales jumped over the last week.",
            date(2019, 11, 4),
            ("over the last week", "2019-10-28", "2019-11-04"),
        ),
        (
            "The app has been offline for the past 6 days.",
            date(2019, 11, 30),
            ("the past 6 days", "2019-11-24", "2019-11-30"),
        ),
        (
            "Tourism has boomed in the last decade.",
            date(2019, 1, 10),
            ("in the last decade", "2009-01-10", "2019-01-10"),
        ),
        (
            "It made its second recall in seven months.",
            date(2019, 2, 4),
            ("in seven months", "2018-07-04", "2019-02-04"),
        ),
    ],
)
def test_in_the_past_n_units_runs_n_units_to_publication(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A rival agreed to buy the brewer last week.", ("last week", "2018-06-04", "2018-06-10")),
        ("Hearings continue this week.", ("this week", "2018-06-11", "2018-06-17")),
        ("A verdict is due next week.", ("next week", "2018-06-18", "2018-06-24")),
        ("Earlier this week, a judge sided with the bank.", ("Earlier this week", "2018-06-11", "2018-06-13")),
        ("Its bonds are priced later this week.", ("later this week", "2018-06-14", "2018-06-17")),
    ],
)
def test_weeks_run_monday_to_sunday(text, expected):
    assert one(text, WEDNESDAY_JUNE_13_2018) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The grocer lowered prices last month.", ("last month", "2018-05-01", "2018-05-31")),
        ("The tablet reaches shops next month.", ("next month", "2018-07-01", "2018-07-31")),
        ("Earlier this month the airline reported a loss.", ("Earlier this month", "2018-06-01", "2018-06-13")),
        ("The streaming plan launches later this year.", ("later this year", "2018-06-13", "2018-12-31")),
        ("The insurer was acquired earlier this year.", ("earlier this year", "2018-01-01", "2018-06-13")),
    ],
)
def test_months_and_years_around_publication(text, expected):
    assert one(text, WEDNESDAY_JUNE_13_2018) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("Bookings grew 4% in Q3.", date(2018, 11, 13), ("Q3", "2018-07-01", "2018-09-30")),
        (
            "The miner earned $7m in the third quarter.",
            date(2018, 12, 3),
            ("the third quarter", "2018-07-01", "2018-09-30"),
        ),
        (
            "Margins shrank in the fourth quarter.",
            date(2019, 2, 13),
            ("the fourth quarter", "2018-10-01", "2018-12-31"),
        ),
        (
            "A write-down will hit the fourth quarter.",
            date(2019, 12, 9),
            ("the fourth quarter", "2019-10-01", "2019-12-31"),
        ),
        (
            "The console will launch in the first quarter.",
            date(2018, 10, 2),
            ("the first quarter", "2019-01-01", "2019-03-31"),
        ),
        (
            "Streams reached 3bn in the final quarter of the year.",
            date(2020, 1, 8),
            ("the final quarter of the year", "2019-10-01", "2019-12-31"),
        ),
        (
            "A ruling is expected in the first half of 2019.",
            date(2018, 11, 13),
            ("the first half of 2019", "2019-01-01", "2019-06-30"),
        ),
        (
            "Deliveries rose in the first three months of 2017.",
            date(2017, 4, 28),
            ("the first three months of 2017", "2017-01-01", "2017-03-31"),
        ),
    ],
)
def test_quarters_and_halves_resolve_by_year_or_tense(text, reference, expected):
    assert one(text, reference) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The toy maker prospered in the 1970s.", ("1970s", "1970-01-01", "1979-12-31")),
        ("Pagers peaked in the late 1990s.", ("late 1990s", "1997-01-01", "1999-12-31")),
        ("The warehouse dates from the 19th century.", ("the 19th century", "1801-01-01", "1900-12-31")),
        ("The guild was chartered in 1765.", ("1765", "1765-01-01", "1765-12-31")),
    ],
)
def test_decades_centuries_and_old_years(text, expected):
    assert one(text, date(2019, 5, 15)) == expected


def test_a_number_before_1900_after_a_weak_cue_is_not_a_year():
    assert resolved("The index climbed to 1850.", date(2019, 5, 15)) == []


def test_the_following_year_reads_against_the_year_named_just_before_it():
    text = "The airline lost money in 2009 and swung back into the black the following year."
    assert resolved(text, date(2016, 3, 1)) == [
        ("2009", "2009-01-01", "2009-12-31"),
        ("the following year", "2010-01-01", "2010-12-31"),
    ]


# 6. Punctuation never ends a phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("The scooter maker hopes to reach Brazil next year.", "next year"),
        ("The first prototype was shown in November.", "November"),
        ("It was confirmed on Monday, a week early.", "Monday"),
        ("Tariffs end by 2022; quotas stay.", "by 2022"),
    ],
)
def test_a_stored_phrase_has_no_trailing_punctuation(text, phrase):
    found = find_time_expressions(text, reference=date(2019, 2, 6), reference_precision="day")
    assert [e.phrase for e in found] == [phrase]
    assert all(text[e.start : e.end] == e.phrase for e in found)


# A paragraph, as a news article writes it


def test_a_news_paragraph_gets_each_phrase_with_its_interval():
    text = (
        "Acme Telecom said on Tuesday it had agreed to buy Beta Mobile, a month after talks began. "
        "The deal, which regulators will review in March, should close by the end of the year. "
        "Beta's sales have fallen in the past two years, and it lost money in the three months to September. "
        "Acme expects to cut 500 jobs over the next 18 months."
    )
    assert resolved(text, date(2018, 11, 15)) == [  # a Thursday
        ("Tuesday", "2018-11-13", "2018-11-13"),
        ("March", "2019-03-01", "2019-03-31"),
        ("by the end of the year", "2018-11-15", "2018-12-31"),
        ("the past two years", "2016-11-15", "2018-11-15"),
        ("the three months to September", "2018-07-01", "2018-09-30"),
        ("the next 18 months", "2018-11-15", "2020-05-15"),
    ]
