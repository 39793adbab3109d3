"""Text normalisation shared by search on every database."""

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
