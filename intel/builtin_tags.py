"""The thematic tags and tag rules rivalscope starts with. Analysts edit them in the
admin afterwards; the data migration loads them once and never overwrites edits."""

from __future__ import annotations

from typing import Any

# (namespace, name, description, [(rule name, algorithm, pattern, confidence)])
BUILTIN_TAGS: list[tuple[str, str, str, list[tuple[str, str, str, float]]]] = [
    (
        "strategy", "market-entry", "A company enters, or plans to enter, a new geographic market.",
        [("market entry wording", "regex",
          r"\bforay(?:s|ed)? into\b|\benter(?:s|ed|ing)? (?:the|a|new)\b[^.]{0,40}\bmarkets?\b|\bmarket entry\b|"
          r"\bcrack(?:s|ed)? into\b|\bexpan(?:d|ds|ded|sion) into\b|\bestablish(?:es|ed)? a presence in\b", 0.75)],
    ),
    (
        "strategy", "budget-pricing", "Low prices as a strategy: budget devices, price cuts, disruptive pricing.",
        [("budget pricing wording", "regex",
          r"\bbudget (?:smartphones?|phones?|devices?|segment|offerings?)\b|\bdisruptive pricing\b|\blow[- ]cost\b|"
          r"\baffordabl\w+\b|\bprice cuts?\b|\baggressive pricing\b|\bbudget\b", 0.7)],
    ),
    (
        "channel", "carrier", "Selling through mobile carriers, or depending on carrier support and contracts.",
        [("carrier dependence wording", "regex",
          r"\bcarrier (?:support|contracts?|deals?|partners?|subsidies|relationships?)\b|\b(?:US|mobile|wireless) carriers\b|"
          r"\bdependence on carriers?\b", 0.7)],
    ),
    (
        "risk", "geopolitical", "Political climate, sanctions, trade disputes and national-security concerns.",
        [("geopolitical wording", "regex",
          r"\bpolitical climate\b|\bsanctions?\b|\btrade (?:war|tensions?|disputes?)\b|\btariffs?\b|"
          r"\bnational security\b|\bexport controls?\b|\bcontrols imposed\b|\bentity list\b|\bgeopolitic\w*\b", 0.75)],
    ),
    (
        "channel", "unlocked", "Selling unlocked devices directly, outside carrier contracts.",
        [("unlocked devices", "any", "unlocked", 0.7)],
    ),
    (
        "segment", "premium", "The premium (high-end, flagship) segment.",
        [("premium wording", "any", 'premium flagship "high-end"', 0.65)],
    ),
]  # fmt: skip


def load_builtin_tags(tag_model: Any, rule_model: Any) -> None:
    """Create the built-in tags and rules that do not exist yet (by name)."""
    for namespace, name, description, rules in BUILTIN_TAGS:
        tag, _ = tag_model.objects.get_or_create(namespace=namespace, name=name, defaults={"description": description})
        for rule_name, algorithm, pattern, confidence in rules:
            rule_model.objects.get_or_create(
                name=rule_name,
                defaults={"tag": tag, "algorithm": algorithm, "match": pattern, "confidence": confidence},
            )
