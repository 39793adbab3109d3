"""What a USSD screen may hold, and how a view is cut to fit it.

Operators show at most 182 characters a screen (Africa's Talking counts the "CON "/"END "
prefix in that); we also show at most 7 choices a screen, so a long list or a long text is
cut into pages, each but the last ending with "98 More". Texts are plain ASCII: some handsets
cannot show accents or curly quotes, and the operators ask for no special characters.
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_CHARS = 182
MAX_CHOICES = 7
# A choice's label is cut to this many characters, so that several fit a screen.
MAX_LABEL = 40
BACK, HOME, MORE = "0", "00", "98"
CON, END = "CON ", "END "
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})


def plain(text: object) -> str:
    """ASCII only, runs of spaces and tabs made one (newlines kept): "Bw. Njoroge’s café" ->
    "Bw. Njoroge's cafe"."""
    text = str(text).translate(_QUOTES)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def cut(text: str, limit: int) -> str:
    text = plain(text)
    return text if len(text) <= limit else text[: max(limit - 2, 1)].rstrip() + ".."


@dataclass(frozen=True)
class View:
    """A screen before it is cut to pages: a text, and the choices numbered from 1."""

    text: str
    options: tuple[str, ...] = ()
    end: bool = False
    error: str = ""
    # The home screen has nowhere to go back to.
    nav: bool = True


@dataclass(frozen=True)
class Page:
    body: str  # without the CON/END prefix
    end: bool
    first_option: int = 1  # the number of the first choice on the page
    options: int = 0  # how many choices the page shows

    @property
    def reply(self) -> str:
        return (END if self.end else CON) + self.body


@dataclass
class _Builder:
    footer: str
    more_footer: str
    lines: list[str] = field(default_factory=list)
    options: int = 0

    def fits(self, line: str, footer: str) -> bool:
        return len(CON) + len("\n".join([*self.lines, line, footer])) <= MAX_CHARS


def nav_footer() -> str:
    back, home = _("Back"), _("Home")
    return f"{BACK} {back} {HOME} {home}"


def paginate(view: View) -> list[Page]:
    """Cut a view into pages of at most MAX_CHARS characters and MAX_CHOICES choices."""
    paragraphs = [plain(p) for p in ([view.error] if view.error else []) + view.text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if view.end:
        body = cut("\n".join(paragraphs), MAX_CHARS - len(END))
        return [Page(body=body, end=True)]
    footer = nav_footer() if view.nav else ""
    more = MORE + " " + _("More") + (f"\n{footer}" if footer else "")
    units: list[tuple[str, str]] = [("t", p) for p in paragraphs]
    units += [("o", f"{n}. {cut(label, MAX_LABEL)}") for n, label in enumerate(view.options, 1)]
    pages: list[Page] = []
    number = 1
    while units or not pages:
        page = _Builder(footer, more)
        first = number
        while units:
            kind, line = units[0]
            if kind == "o" and page.options == MAX_CHOICES:
                break
            last = len(units) == 1
            if page.fits(line, footer if last else more):
                page.lines.append(line)
                units.pop(0)
                if kind == "o":
                    page.options += 1
                    number += 1
                continue
            if kind == "t":
                # Take the words that fit; the rest of the paragraph opens the next page.
                words, rest = line.split(" "), []
                while words and not page.fits(" ".join(words), more):
                    rest.insert(0, words.pop())
                if not words:  # one word longer than a page: cut it
                    room = MAX_CHARS - len(CON) - len("\n".join([*page.lines, more])) - 1
                    if page.lines and room < 10:
                        break
                    words, rest = [line[:room]], [line[room:]]
                page.lines.append(" ".join(words))
                units[0] = ("t", " ".join(rest).strip())
                if not units[0][1]:
                    units.pop(0)
            break
        if not page.lines and units:  # nothing fitted: never loop forever
            kind, line = units.pop(0)
            page.lines.append(cut(line, MAX_CHARS - len(CON) - len(more) - 1))
        tail = more if units else footer
        body = "\n".join([*page.lines, tail] if tail else page.lines)
        pages.append(Page(body=body, end=False, first_option=first, options=number - first))
    return pages
