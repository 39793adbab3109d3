"""Rules for untrusted input shared by every face: characters no text field may hold, numbers
written in ASCII digits only, and secret tokens compared without leaking or crashing.
"""

import hmac
import unicodedata

# Tab, line feed and carriage return are ordinary in a multi-line text box; every other
# control character (NUL above all: PostgreSQL refuses it in text) and every lone surrogate
# (it cannot be encoded as UTF-8 for either database) is refused.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})


def has_forbidden_characters(text: str) -> bool:
    """True when `text` holds a control character (other than tab and newlines) or a surrogate."""
    if text.isprintable():  # the fast path: no control, format or surrogate character at all
        return False
    return any(
        ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in _REFUSED_CATEGORIES
        for ch in text
    )


def ascii_int(text: str | None, *, minimum: int | None = None, maximum: int | None = None):
    """The int written in `text` with ASCII digits only, within the bounds, else None.

    Python's int() and str.isdigit() also take "²", Arabic-Indic or fullwidth digits; a form
    field for a page number or an id must not.
    """
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None
    return value


def tokens_equal(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a shared secret; False (never an error) for any input.

    hmac.compare_digest raises TypeError on str holding non-ASCII characters, so both sides are
    compared as UTF-8 bytes. An empty expected secret matches nothing.
    """
    if not given or not expected:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
