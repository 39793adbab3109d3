"""Text normalisation shared by search on every database, and links redacted from kept copies."""

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, accents removed, punctuation turned into spaces."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return " ".join(_WORD.findall(folded))


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


LINK = re.compile(r"https?://\S+")


def redact_links(body: str) -> str:
    """A message's links replaced by "[link]": a link in a text is often a key (a rating or
    survey link), so a copy kept after sending keeps only that there was one."""
    return LINK.sub("[link]", body)


def shorten(text: str, limit: int, tail: str = "...") -> str:
    """`text` in at most `limit` characters, cut between words (never mid-word) and marked
    with `tail` ("..." stays in the GSM alphabet of a single SMS; "…" would not)."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = max(limit - len(tail), 0)
    cut = text[:room]
    # Unless the word ends right there, go back to the last space (a single long word is cut).
    if text[room].isalnum() and cut[-1:].isalnum() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + tail


# The commonest short words of each language: enough to tell a sentence written in one from
# the other (a service name or a reference in the other language does not tip it).
_STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "was",
            "were",
            "is",
            "are",
            "to",
            "of",
            "for",
            "we",
            "you",
            "your",
            "has",
            "have",
            "been",
            "it",
            "this",
            "that",
            "with",
            "on",
            "at",
            "by",
            "from",
            "not",
            "will",
            "our",
            "they",
            "he",
            "she",
            "his",
            "her",
            "an",
            "be",
            "as",
        ]
    ),
    "sw": frozenset(
        [
            "na",
            "ya",
            "wa",
            "kwa",
            "ni",
            "la",
            "za",
            "katika",
            "hii",
            "huu",
            "hiyo",
            "kwamba",
            "tume",
            "ime",
            "ili",
            "lakini",
            "pia",
            "sana",
            "yako",
            "wako",
            "lako",
            "zako",
            "kuwa",
            "hakuna",
            "bado",
            "kama",
            "au",
            "tu",
            "hapo",
        ]
    ),
}


def written_in(text: str) -> str | None:
    """ "en" or "sw" when the text is plainly a sentence of that language (at least three of
    its common words, three times as many as the other's), else None: unsure says nothing."""
    counts = {lang: 0 for lang in _STOPWORDS}
    for word in words(text):
        for lang, common in _STOPWORDS.items():
            if word in common:
                counts[lang] += 1
    (first, top), (_, other) = sorted(counts.items(), key=lambda kv: -kv[1])
    return first if top >= 3 and top >= 3 * other else None
