"""The printable service charter of a centre as an A4 PDF (fpdf2, core fonts, no downloads)."""

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from huduma.core.i18n import localized
from huduma.core.money import format_kes


def _latin1(text: str) -> str:
    # Core PDF fonts are Latin-1; Swahili and English need nothing more, but be safe.
    return text.encode("latin-1", "replace").decode("latin-1")


_WEEKDAYS = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")


def opening_hours_text(hours: str) -> str:
    """A centre's opening hours ("Mon-Fri 08:00-17:00, Sat 09:00-13:00", as stored) with the
    days in the reader's language."""
    days = {
        "Mon": pgettext("weekday", "Mon"),
        "Tue": pgettext("weekday", "Tue"),
        "Wed": pgettext("weekday", "Wed"),
        "Thu": pgettext("weekday", "Thu"),
        "Fri": pgettext("weekday", "Fri"),
        "Sat": pgettext("weekday", "Sat"),
        "Sun": pgettext("weekday", "Sun"),
    }
    return _WEEKDAYS.sub(lambda match: days[match.group(1)], hours)


def fee_text(amount: Decimal) -> str:
    """A service's official fee as a citizen reads it: "Free" rather than "KES 0.00"."""
    return _("Free") if amount == 0 else format_kes(amount)


def turnaround_text(days: int) -> str:
    if days == 0:
        return _("Same day")
    return _("%(days)s working days") % {"days": days} if days != 1 else _("1 working day")


class CharterPDF(FPDF):
    """A4 pages numbered "Page 1 of 3" in the footer."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        text = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 6, _latin1(text), align="C")


def charter_pdf(*, centre, services, date: dt.date, complaints: dict) -> bytes:
    pdf = CharterPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(_latin1(f"{_('Service charter')} - {centre.name}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _latin1(_("Service charter")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    where = f"{centre.name}, {centre.town + ', ' if centre.town else ''}{centre.county.name}"
    pdf.multi_cell(0, 7, _latin1(where), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in (
        f"{_('Opening hours')}: {opening_hours_text(centre.opening_hours)}",
        _("Dated %(date)s") % {"date": date.isoformat()},
    ):
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 8.5)
    # Long service and agency names wrap inside their cell (the row grows); the heading row is
    # repeated on every page.
    with pdf.table(
        col_widths=(78, 56, 26, 30),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
        borders_layout="HORIZONTAL_LINES",
        line_height=4.5,
        padding=1,
    ) as table:
        heading = table.row()
        for text in (_("Service"), _("Agency"), _("Fee"), _("Turnaround")):
            heading.cell(_latin1(text))
        for service in services:
            row = table.row()
            for text in (
                localized(service, "name"),
                localized(service.mda, "name"),
                fee_text(service.fee_kes),
                turnaround_text(service.turnaround_days),
            ):
                row.cell(_latin1(text))
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(
        0,
        6,
        _latin1(_("Fees are in Kenya shillings. Pay only the official fee and ask for a receipt.")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        6,
        _latin1(
            _(
                "Complaints and compliments: call %(phone)s, SMS %(short_code)s, email %(email)s, "
                "or ask for the Centre Manager."
            )
            % complaints
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
