"""Content stored in both languages (name_en / name_sw) read in the user's language."""

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
