"""Content stored in both languages (name_en / name_sw) read in the user's language."""

import unicodedata

from django.utils.translation import get_language

CONTENT_LANGUAGES = ("en", "sw")


def current_language() -> str:
    lang = (get_language() or "en")[:2]
    return lang if lang in CONTENT_LANGUAGES else "en"


def localized(obj, field: str, language: str | None = None) -> str:
    """obj.<field>_<lang>, falling back to English when the translation is empty."""
    lang = language or current_language()
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_en", "")


class Bilingual:
    """Mixin giving `.name` in the active language."""

    @property
    def name(self) -> str:
        return localized(self, "name")


def name_sort_key(name: str) -> str:
    """A key that orders names as a reader of either language expects: letters without their
    accents, case folded, so "Ústawi" sits with the U's and "kitambulisho" before "Leseni"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def sorted_by_name(items, language: str | None = None) -> list:
    """Objects with name_en/name_sw ordered by the name in the language shown (Swahili order in
    Swahili), not by the English name."""
    lang = language or current_language()
    return sorted(items, key=lambda obj: name_sort_key(localized(obj, "name", lang)))
