"""Time phrases in news text, resolved against the publication date (intel.ingest.timex)."""

from datetime import date
from itertools import pairwise

import pytest

from intel.ingest.timex import TimeExpression, find_time_expressions, resolve_range_overlap

JULY_1_2018 = date(2018, 7, 1)


def find(text, reference=JULY_1_2018, precision="day"):
    return find_time_expressions(text, reference=reference, reference_precision=precision)


def only(text, reference=JULY_1_2018, precision="day") -> TimeExpression:
    found = find(text, reference, precision)
    assert len(found) == 1, found
    return found[0]


def resolved(expression: TimeExpression) -> tuple:
    start = expression.date_start.isoformat() if expression.date_start else None
    end = expression.date_end.isoformat() if expression.date_end else None
    return expression.phrase, start, end, expression.precision


# The seed case and capitalisation


def test_next_year_in_a_july_2018_article_is_the_whole_of_2019():
    text = "Xiaomi appears to be geared up to foray into the US market next year."
    found = find(text, reference=JULY_1_2018, precision="month")
    assert found == [
        TimeExpression(
            start=text.index("next year"),
            end=text.index("next year") + len("next year"),
            phrase="next year",
            date_start=date(2019, 1, 1),
            date_end=date(2019, 12, 31),
            precision="year",
            relative=True,
        )
    ]


def test_a_capitalised_phrase_at_the_start_of_a_quote_is_found():
    text = 'He stated, "Next year we hope we can do something there."'
    assert resolved(only(text)) == ("Next year", "2019-01-01", "2019-12-31", "year")


# Phrase families (reference 2018-07-01 unless the row says otherwise)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next year", ("next year", "2019-01-01", "2019-12-31", "year")),
        ("this year", ("this year", "2018-01-01", "2018-12-31", "year")),
        ("last year", ("last year", "2017-01-01", "2017-12-31", "year")),
        ("in the coming year", ("the coming year", "2019-01-01", "2019-12-31", "year")),
        ("the following year", ("the following year", "2019-01-01", "2019-12-31", "year")),
        ("the previous year", ("the previous year", "2017-01-01", "2017-12-31", "year")),
        ("in two years", ("in two years", "2020-01-01", "2020-12-31", "year")),
        ("in 2 years", ("in 2 years", "2020-01-01", "2020-12-31", "year")),
        ("in a year's time", ("in a year's time", "2019-01-01", "2019-12-31", "year")),
        ("two years ago", ("two years ago", "2016-01-01", "2016-12-31", "year")),
        ("within two years", ("within two years", "2018-07-01", "2020-07-01", "year")),
        ("over the next two years", ("the next two years", "2018-07-01", "2020-07-01", "year")),
        ("earlier this year", ("earlier this year", "2018-01-01", "2018-07-01", "month")),
        ("later this year", ("later this year", "2018-07-01", "2018-12-31", "month")),
        ("early next year", ("early next year", "2019-01-01", "2019-04-30", "month")),
        ("the end of the year", ("the end of the year", "2018-09-01", "2018-12-31", "month")),
        ("by the end of the year", ("by the end of the year", "2018-07-01", "2018-12-31", "year")),
        ("by year-end", ("by year-end", "2018-07-01", "2018-12-31", "year")),
        ("the second half of next year", ("the second half of next year", "2019-07-01", "2019-12-31", "quarter")),
    ],
)
def test_relative_years_resolve_against_the_reference_year(text, expected):
    assert resolved(only(text)) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("next month", date(2018, 7, 1), ("next month", "2018-08-01", "2018-08-31", "month")),
        ("this month", date(2018, 7, 1), ("this month", "2018-07-01", "2018-07-31", "month")),
        ("last month", date(2018, 3, 15), ("last month", "2018-02-01", "2018-02-28", "month")),
        ("last month", date(2020, 3, 10), ("last month", "2020-02-01", "2020-02-29", "month")),
        ("next month", date(2018, 12, 20), ("next month", "2019-01-01", "2019-01-31", "month")),
        ("in three months", date(2018, 7, 1), ("in three months", "2018-10-01", "2018-10-31", "month")),
        ("in the coming months", date(2018, 7, 1), ("the coming months", "2018-07-01", "2019-01-01", "month")),
        ("the past three months", date(2018, 7, 15), ("the past three months", "2018-04-15", "2018-07-15", "month")),
        (
            "by the end of next month",
            date(2018, 7, 1),
            ("by the end of next month", "2018-07-01", "2018-08-31", "month"),
        ),
    ],
)
def test_relative_months_resolve_against_the_reference_month(text, reference, expected):
    assert resolved(only(text, reference)) == expected


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("next quarter", date(2018, 7, 1), ("next quarter", "2018-10-01", "2018-12-31", "quarter")),
        ("next quarter", date(2018, 11, 5), ("next quarter", "2019-01-01", "2019-03-31", "quarter")),
        ("this quarter", date(2018, 7, 1), ("this quarter", "2018-07-01", "2018-09-30", "quarter")),
        ("the current quarter", date(2018, 8, 9), ("the current quarter", "2018-07-01", "2018-09-30", "quarter")),
        ("last quarter", date(2018, 7, 1), ("last quarter", "2018-04-01", "2018-06-30", "quarter")),
        (
            "by the end of the quarter",
            date(2018, 7, 1),
            ("by the end of the quarter", "2018-07-01", "2018-09-30", "quarter"),
        ),
        (
            "by the end of this quarter",
            date(2018, 2, 1),
            ("by the end of this quarter", "2018-02-01", "2018-03-31", "quarter"),
        ),
        ("in Q3", date(2018, 7, 1), ("Q3", "2018-07-01", "2018-09-30", "quarter")),
        ("the third quarter", date(2018, 7, 1), ("the third quarter", "2018-07-01", "2018-09-30", "quarter")),
        (
            "the fourth quarter of next year",
            date(2018, 7, 1),
            ("the fourth quarter of next year", "2019-10-01", "2019-12-31", "quarter"),
        ),
    ],
)
def test_relative_quarters_resolve_against_the_reference_quarter(text, reference, expected):
    assert resolved(only(text, reference)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q3 2019", ("Q3 2019", "2019-07-01", "2019-09-30", "quarter")),
        ("Q1 2020", ("Q1 2020", "2020-01-01", "2020-03-31", "quarter")),
        ("Q4'19", ("Q4'19", "2019-10-01", "2019-12-31", "quarter")),
        ("3Q19", ("3Q19", "2019-07-01", "2019-09-30", "quarter")),
        ("the third quarter of 2019", ("the third quarter of 2019", "2019-07-01", "2019-09-30", "quarter")),
        ("the last quarter of 2019", ("the last quarter of 2019", "2019-10-01", "2019-12-31", "quarter")),
        ("FY2019", ("FY2019", "2019-01-01", "2019-12-31", "year")),
        ("FY19", ("FY19", "2019-01-01", "2019-12-31", "year")),
        ("in fiscal 2019", ("fiscal 2019", "2019-01-01", "2019-12-31", "year")),
    ],
)
def test_quarters_and_fiscal_years_with_a_year_need_no_reference(text, expected):
    expression = only(text, reference=None)
    assert (resolved(expression), expression.relative) == (expected, False)


WEDNESDAY_JULY_4_2018 = date(2018, 7, 4)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("next week", WEDNESDAY_JULY_4_2018, ("next week", "2018-07-09", "2018-07-15", "day")),
        ("last week", WEDNESDAY_JULY_4_2018, ("last week", "2018-06-25", "2018-07-01", "day")),
        ("this week", WEDNESDAY_JULY_4_2018, ("this week", "2018-07-02", "2018-07-08", "day")),
        ("today", WEDNESDAY_JULY_4_2018, ("today", "2018-07-04", "2018-07-04", "day")),
        ("yesterday", WEDNESDAY_JULY_4_2018, ("yesterday", "2018-07-03", "2018-07-03", "day")),
        ("tomorrow", WEDNESDAY_JULY_4_2018, ("tomorrow", "2018-07-05", "2018-07-05", "day")),
        ("tomorrow", date(2018, 12, 31), ("tomorrow", "2019-01-01", "2019-01-01", "day")),
        ("yesterday", date(2020, 3, 1), ("yesterday", "2020-02-29", "2020-02-29", "day")),
        ("in three days", WEDNESDAY_JULY_4_2018, ("in three days", "2018-07-07", "2018-07-07", "day")),
    ],
)
def test_weeks_and_days_resolve_when_the_reference_day_is_known(text, reference, expected):
    assert resolved(only(text, reference, "day")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2019", ("2019", "2019-01-01", "2019-12-31", "year")),
        ("2019 was a record for Xiaomi.", ("2019", "2019-01-01", "2019-12-31", "year")),
        ("July 2018", ("July 2018", "2018-07-01", "2018-07-31", "month")),
        ("July 2018's launch", ("July 2018", "2018-07-01", "2018-07-31", "month")),
        ("February 2020", ("February 2020", "2020-02-01", "2020-02-29", "month")),
        ("July 12, 2018", ("July 12, 2018", "2018-07-12", "2018-07-12", "day")),
        ("Sept. 3, 2019", ("Sept. 3, 2019", "2019-09-03", "2019-09-03", "day")),
        ("12 July 2018", ("12 July 2018", "2018-07-12", "2018-07-12", "day")),
        ("2018-07-12", ("2018-07-12", "2018-07-12", "2018-07-12", "day")),
        ("early 2019", ("early 2019", "2019-01-01", "2019-04-30", "month")),
        ("mid-2019", ("mid-2019", "2019-05-01", "2019-08-31", "month")),
        ("late 2019", ("late 2019", "2019-09-01", "2019-12-31", "month")),
        ("the end of 2019", ("the end of 2019", "2019-09-01", "2019-12-31", "month")),
        ("by the end of 2019", ("by the end of 2019", "2019-01-01", "2019-12-31", "year")),
        ("the first half of 2019", ("the first half of 2019", "2019-01-01", "2019-06-30", "quarter")),
        ("H1 2019", ("H1 2019", "2019-01-01", "2019-06-30", "quarter")),
        ("H2 2019", ("H2 2019", "2019-07-01", "2019-12-31", "quarter")),
        ("1H19", ("1H19", "2019-01-01", "2019-06-30", "quarter")),
    ],
)
def test_absolute_dates_resolve_without_a_reference(text, expected):
    expression = only(text, reference=None)
    assert (resolved(expression), expression.relative) == (expected, False)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("in September", date(2018, 7, 1), ("September", "2018-09-01", "2018-09-30", "month")),
        ("in March", date(2018, 7, 1), ("March", "2018-03-01", "2018-03-31", "month")),
        ("in July", date(2018, 7, 20), ("July", "2018-07-01", "2018-07-31", "month")),
        ("since March", date(2018, 7, 1), ("since March", "2018-03-01", "2018-07-31", "month")),
        ("by early September", date(2018, 7, 1), ("by early September", "2018-07-01", "2018-09-30", "month")),
        ("next May", date(2018, 7, 1), ("next May", "2019-05-01", "2019-05-31", "month")),
        ("last September", date(2018, 7, 1), ("last September", "2017-09-01", "2017-09-30", "month")),
        ("on September 12", date(2018, 7, 1), ("September 12", "2018-09-12", "2018-09-12", "day")),
    ],
)
def test_a_month_without_a_year_or_tense_is_the_nearest_such_month_to_the_reference(text, reference, expected):
    assert resolved(only(text, reference, "month")) == expected


# Overlaps and spans


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Xiaomi will launch by the end of next year.", "by the end of next year"),
        ("Results for the third quarter of 2019 were strong.", "the third quarter of 2019"),
        ("The phone went on sale on July 12, 2018 in India.", "July 12, 2018"),
        ("A decision is due early next week.", "early next week"),
        ("Sales should recover within the next two years.", "within the next two years"),
    ],
)
def test_the_longest_of_overlapping_phrases_wins(text, phrase):
    assert only(text, WEDNESDAY_JULY_4_2018).phrase == phrase


def test_spans_are_exact_sorted_and_do_not_overlap():
    text = (
        "In 2019 Xiaomi said it would open stores next year, ship the Mi 9 in Q3 2020 "
        "and list its shares by the end of the quarter; sales tripled two years ago."
    )
    found = find(text)
    assert [e.phrase for e in found] == [
        "2019",
        "next year",
        "Q3 2020",
        "by the end of the quarter",
        "two years ago",
    ]
    assert all(text[e.start : e.end] == e.phrase for e in found)
    assert all(a.end <= b.start for a, b in pairwise(found))


# False positives


@pytest.mark.parametrize(
    "text",
    [
        "Xiaomi may enter the US market.",
        "Xiaomi May Enter The US Market",
        "Workers march on the capital.",
        "April Jones, an analyst, disagreed.",
        "Xiaomi is the second-largest smartphone maker.",
        "It was the year of the foldable phone.",
        "Xiaomi has sold phones in India for many years.",
        "The stock hit its highest level in a year.",
        "The phone costs $2019 in the US.",
        "Xiaomi shipped 2,019 units to retailers.",
        "Shipments rose to 2019 units.",
        "The ratio fell to 2019.5 points.",
    ],
)
def test_words_and_numbers_that_only_look_like_times_are_ignored(text):
    assert find(text) == []


@pytest.mark.parametrize(("text", "phrase"), [("It opens in May 2019.", "May 2019"), ("It opens on May 5.", "May 5")])
def test_may_is_a_month_when_a_day_or_year_follows(text, phrase):
    assert only(text).phrase == phrase


# Unknown or coarse references


@pytest.mark.parametrize(
    "text",
    ["next year", "next month", "the coming months", "this quarter", "Q3", "in September", "tomorrow", "in two years"],
)
def test_relative_phrases_without_a_reference_are_kept_unresolved(text):
    expression = only(text, reference=None)
    assert (expression.date_start, expression.date_end, expression.precision, expression.relative) == (
        None,
        None,
        "",
        True,
    )


@pytest.mark.parametrize(
    ("precision", "text", "resolves"),
    [
        ("year", "next year", True),
        ("year", "Q3", True),
        ("year", "next quarter", False),
        ("year", "next month", False),
        ("year", "in September", False),
        ("year", "tomorrow", False),
        ("quarter", "next quarter", True),
        ("quarter", "next month", False),
        ("month", "next month", True),
        ("month", "in September", True),
        ("month", "next week", False),
        ("month", "tomorrow", False),
        ("day", "tomorrow", True),
    ],
)
def test_a_relative_phrase_resolves_only_when_the_reference_is_precise_enough(precision, text, resolves):
    expression = only(text, date(2018, 7, 15), precision)
    assert (expression.date_start is not None, expression.relative) == (resolves, True)


@pytest.mark.parametrize(
    ("precision", "start", "end"),
    [
        ("day", "2018-07-15", "2020-07-15"),
        ("month", "2018-07-01", "2020-07-31"),
        ("quarter", "2018-07-01", "2020-09-30"),
        ("year", "2018-01-01", "2020-12-31"),
    ],
)
def test_within_runs_over_the_known_part_of_the_reference(precision, start, end):
    expression = only("within two years", date(2018, 7, 15), precision)
    assert (expression.date_start.isoformat(), expression.date_end.isoformat()) == (start, end)


def test_an_unknown_reference_precision_is_refused():
    with pytest.raises(ValueError, match="reference_precision"):
        find("next year", precision="week")


def test_text_without_time_words_gives_nothing():
    assert find("") == []
    assert find("Xiaomi opened a store in Madrid.") == []


# Range overlap


D = date.fromisoformat


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((D("2019-01-01"), D("2019-12-31")), (D("2019-06-01"), D("2019-06-30")), True),
        ((D("2019-01-01"), D("2019-06-30")), (D("2019-06-30"), D("2019-09-30")), True),
        ((D("2019-01-01"), D("2019-06-29")), (D("2019-06-30"), D("2019-09-30")), False),
        ((None, None), (None, None), True),
        ((None, None), (D("2019-01-01"), D("2019-01-31")), True),
        ((None, D("2018-12-31")), (D("2019-01-01"), D("2019-12-31")), False),
        ((None, D("2019-01-01")), (D("2019-01-01"), D("2019-12-31")), True),
        ((D("2020-01-01"), None), (D("2019-01-01"), D("2019-12-31")), False),
        ((D("2019-07-01"), None), (None, D("2019-07-01")), True),
    ],
)
def test_ranges_overlap_when_they_share_a_day_and_open_bounds_reach_forever(a, b, overlap):
    assert (resolve_range_overlap(a, b), resolve_range_overlap(b, a)) == (overlap, overlap)


def test_resolved_expressions_feed_the_overlap_check():
    planned = only("Xiaomi will enter the US by the end of next year.")
    happened = only("Xiaomi entered the US in March 2019.", reference=None)
    assert resolve_range_overlap((planned.date_start, planned.date_end), (happened.date_start, happened.date_end))


# Speed (correctness only; the time is measured, not asserted)

PARAGRAPH = (
    "The company said its new handset would feature a larger battery, a faster processor and an improved "
    "camera, and that it would be sold through online channels as well as retail partners across several "
    "markets. Analysts noted that competition in the segment has intensified, with rivals cutting prices "
    "and expanding distribution, while suppliers struggle to keep up with demand for displays and chips. "
) * 6


def test_two_thousand_calls_on_a_two_kilobyte_paragraph_without_time_words_find_nothing():
    paragraph = PARAGRAPH[:2048]
    assert len(paragraph) == 2048
    assert not any(character.isdigit() for character in paragraph)
    results = [find(paragraph) for _ in range(2000)]
    assert results == [[]] * 2000


def test_a_year_past_9999_leaves_the_phrase_unresolved():
    expression = only("next year", reference=date(9999, 7, 1))
    assert (expression.phrase, expression.date_start, expression.precision) == ("next year", None, "")
