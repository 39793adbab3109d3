"""The printable service charter of a centre as an A4 PDF (fpdf2, core fonts, no downloads)."""

import datetime as dt

from django.utils.translation import gettext as _
from fpdf import FPDF

from huduma.core.i18n import localized
from huduma.core.money import format_kes


def _latin1(text: str) -> str:
    # Core PDF fonts are Latin-1; Swahili and English need nothing more, but be safe.
    return text.encode("latin-1", "replace").decode("latin-1")


def turnaround_text(days: int) -> str:
    if days == 0:
        return _("Same day")
    return _("%(days)s working days") % {"days": days} if days != 1 else _("1 working day")


def charter_pdf(*, centre, services, date: dt.date, complaints: dict) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(f"{_('Service charter')} - {centre.name}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _latin1(_("Service charter")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, _latin1(f"{centre.name}, {centre.county.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0,
        7,
        _latin1(_("Dated %(date)s") % {"date": date.isoformat()}),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    widths = (88, 52, 22, 28)
    headers = (_("Service"), _("MDA"), _("Fee"), _("Turnaround"))
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, _latin1(header), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8.5)
    for service in services:
        row = (
            localized(service, "name"),
            localized(service.mda, "name"),
            format_kes(service.fee_kes).replace("KES ", ""),
            turnaround_text(service.turnaround_days),
        )
        for width, value in zip(widths, row, strict=True):
            text = _latin1(value)
            while pdf.get_string_width(text) > width - 1 and len(text) > 4:
                text = text[:-2]
            pdf.cell(width, 6, text, border="B")
        pdf.ln()
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
