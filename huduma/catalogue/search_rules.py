"""The catalogue search's rules as pure functions, the same on every database.

The index is two tables kept by `service_refresh_search`: the lexicon's lookup keys (each word,
its prefixes from the third letter, its stem, its one-letter deletions) and the postings (which
service has which word, and how strongly). A query is turned into keys here, the keys are looked
up by equality (a B-tree index on both SQLite and PostgreSQL), and the matches are scored here.
"""

from dataclasses import dataclass

from huduma.core.text import words

MIN_PREFIX = 3  # "kit", "nhi", "kra": fewer letters name too many words to be useful
MIN_TYPO = 4  # below four letters a one-letter slip is another word ("id" and "is")
MAX_WORD = 64

# Words too common to narrow a search, in both languages.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "can",
        "do",
        "does",
        "for",
        "from",
        "get",
        "getting",
        "give",
        "how",
        "i",
        "im",
        "in",
        "is",
        "it",
        "me",
        "my",
        "need",
        "of",
        "on",
        "please",
        "the",
        "to",
        "want",
        "what",
        "where",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
        "ya",
        "wa",
        "la",
        "za",
        "cha",
        "kwa",
        "na",
        "ni",
        "je",
        "vya",
        "kupata",
        "nataka",
        "naomba",
        "tafadhali",
        "nipate",
        "gani",
        "wapi",
        "jinsi",
        "changu",
        "yangu",
        "wangu",
        "langu",
        "zangu",
        "vyangu",
        "kuhusu",
    ]
)

# Kiswahili verbs and relatives carry their subject, tense and relative as prefixes
# ("nimepoteza" I have lost, "kilichopotea" which was lost): the stem drops them, on both the
# query and the index, so every form of a verb meets the others. Longest first.
_SW_PREFIXES = tuple(
    sorted(
        [
            "nime",
            "ume",
            "ame",
            "tume",
            "mme",
            "wame",
            "kime",
            "ime",
            "zime",
            "vime",
            "lime",
            "yame",
            "nina",
            "una",
            "ana",
            "tuna",
            "mna",
            "wana",
            "nili",
            "uli",
            "ali",
            "tuli",
            "mli",
            "wali",
            "nita",
            "uta",
            "ata",
            "tuta",
            "mta",
            "wata",
            "kilicho",
            "kilichoki",
            "ilicho",
            "iliyo",
            "ambacho",
            "ambayo",
            "ambalo",
            "lililo",
            "yaliyo",
            "vilivyo",
            "zilizo",
            "ku",
            "kuji",
        ],
        key=len,
        reverse=True,
    )
)
_EN_SUFFIXES = (
    "ations",
    "ation",
    "ements",
    "ement",
    "ments",
    "ment",
    "ings",
    "ing",
    "ies",
    "ed",
    "es",
    "s",
)

# How strongly a word names a service, by where it stands (a posting's weight).
WEIGHT_NAME = 6
WEIGHT_KEYWORD = 4
WEIGHT_AGENCY = 2
WEIGHT_DESCRIPTION = 1
MAX_WEIGHT = WEIGHT_NAME

# How well a typed word matches a word of the index (1 = as typed).
EXACT = 1.0
STEM = 0.9
PREFIX = 0.8
TYPO = 0.7
SWAHILI_CLASS = 0.9  # "vitambulisho" for "kitambulisho" (plural noun class)


class Kind:
    """What a lexicon key is of its word (stored as a small integer)."""

    WORD = 0
    PREFIX = 1
    STEM = 2
    DELETION = 3


def stem(word: str) -> str:
    """A crude stem shared by index and query: English suffixes and Kiswahili verb prefixes off."""
    for prefix in _SW_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            word = word[len(prefix) :]
            break
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)].rstrip("e")
    return word.rstrip("e") if len(word) > 4 else word


def deletions(word: str) -> set[str]:
    """The word with one letter left out, each way (a typo's neighbourhood, as in SymSpell)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def lexicon_keys(word: str) -> list[tuple[str, int]]:
    """The keys under which a lexicon word is found: itself, its prefixes, stem and deletions."""
    keys = [(word, Kind.WORD)]
    if word.isdigit():
        return keys  # numbers are found as typed, never by prefix or typo
    keys += [(word[:n], Kind.PREFIX) for n in range(MIN_PREFIX, len(word))]
    if len(word) >= MIN_TYPO:
        keys.append((stem(word), Kind.STEM))
        keys += [(d, Kind.DELETION) for d in deletions(word)]
    return list(dict.fromkeys(keys))


def damerau(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit ("crad", "card")."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _forms(term: str) -> list[tuple[str, float]]:
    """The term, and its other Kiswahili noun class (vi-/ki-, vy-/ch-)."""
    forms = [(term, 1.0)]
    for plural, singular in (("vi", "ki"), ("vy", "ch")):
        if term.startswith(plural) and len(term) >= 5:
            forms.append((singular + term[len(plural) :], SWAHILI_CLASS))
    return forms


def query_keys(term: str) -> set[str]:
    """Every key to look up in the lexicon for one typed word."""
    keys = set()
    for form, _ in _forms(term):
        keys.add(form)
        if len(form) >= MIN_TYPO:
            keys.add(stem(form))
            keys |= deletions(form)
    return keys


def match_quality(term: str, key: str, word: str, kind: int) -> float:
    """How well the typed `term` matches lexicon `word`, found under `key` of `kind` (0: no)."""
    best = 0.0
    for form, factor in _forms(term):
        quality = 0.0
        if word == form:
            quality = EXACT
        elif kind == Kind.PREFIX and key == form and len(form) >= MIN_PREFIX:
            quality = PREFIX
        elif kind == Kind.STEM and len(form) >= MIN_TYPO and key == stem(form):
            quality = STEM
        elif (
            len(form) >= MIN_TYPO
            and kind in (Kind.WORD, Kind.DELETION)
            and damerau(form, word) <= (1 if len(form) < 8 else 2)
        ):
            quality = TYPO
        best = max(best, quality * factor)
    return best


@dataclass(frozen=True)
class Concept:
    """One thing the citizen asked for: a word as typed, or a phrase and what it also means
    (a synonym). Each alternative is a list of words; a service meets the concept through its
    best alternative, an alternative scoring the mean of its words."""

    alternatives: tuple[tuple[str, ...], ...]


def parse(query: str, synonyms: dict[tuple[str, ...], list[tuple[str, ...]]]) -> list[Concept]:
    """The concepts of a query: synonym phrases first (longest), then the remaining words."""
    tokens = words(query)
    stems = [stem(t) for t in tokens]
    # A phrase matches as typed or in another form of its words ("nimepoteza" for "poteza").
    by_stem: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for phrase, means in synonyms.items():
        by_stem.setdefault(tuple(stem(w) for w in phrase), []).extend(means)
    concepts: list[Concept] = []
    i = 0
    longest = max((len(p) for p in synonyms), default=0)
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i : i + n])
            means = synonyms.get(phrase) or by_stem.get(tuple(stems[i : i + n]))
            if means:
                content = tuple(w for w in phrase if w not in STOP_WORDS) or phrase
                concepts.append(Concept((content, *means)))
                i += n
                break
        else:
            if tokens[i] not in STOP_WORDS and len(tokens[i]) <= MAX_WORD:
                concepts.append(Concept(((tokens[i],),)))
            i += 1
    if not concepts and tokens:  # only stop words: search for them rather than for nothing
        concepts = [Concept(((t,),)) for t in tokens[:1]]
    return concepts


def synonym_alternatives(means: str) -> list[tuple[str, ...]]:
    """A synonym's "means" text: alternatives separated by commas, stop words left out."""
    alternatives = []
    for part in means.split(","):
        content = tuple(w for w in words(part) if w not in STOP_WORDS)
        if content:
            alternatives.append(content)
    return alternatives
