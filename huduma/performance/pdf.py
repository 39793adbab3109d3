"""The daily report and the quarterly evaluation report as A4 PDFs (fpdf2, core fonts), with
the page numbers of the printable charter (catalogue.pdf.CharterPDF)."""

import datetime as dt

from django.utils.translation import gettext as _
from fpdf import FPDF

from huduma.catalogue.pdf import CharterPDF
from huduma.core.i18n import current_language
from huduma.core.money import format_kes


def _l1(text) -> str:
    # Core PDF fonts are Latin-1: English and Swahili need nothing more.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _name(row: dict) -> str:
    return row.get(f"name_{current_language()}") or row.get("name_en", "")


def _pct(value) -> str:
    return "-" if value is None else f"{value}%"


def _new(title: str) -> FPDF:
    pdf = CharterPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(_l1(title))
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: float = 11) -> None:
    pdf.ln(1.5)
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, 6, _l1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)


def _line(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 4.6, _l1(text), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, heading: tuple, rows: list[tuple], widths: tuple) -> None:
    with pdf.table(
        col_widths=widths,
        borders_layout="HORIZONTAL_LINES",
        line_height=4.2,
        padding=0.8,
        text_align=("LEFT", *["RIGHT"] * (len(heading) - 1)),
    ) as table:
        head = table.row()
        for text in heading:
            head.cell(_l1(text))
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(_l1(text))


def daily_report_pdf(f: dict) -> bytes:
    """One page (two on a very busy day) of the centre's day; `f` is DailyReport.figures."""
    title = _("Daily report")
    pdf = _new(f"{title} - {f['centre']['name']}")
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(
        0, 7, _l1(f"{title}: {f['centre']['name']}, {f['day']}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 8.5)
    served, waits = f["served"], f["waits"]
    _line(
        pdf,
        _(
            "Served %(today)s (day before %(before)s; same weekday last month %(month)s). "
            "No-shows %(no_shows)s."
        )
        % {
            "today": served["totals"]["today"],
            "before": served["totals"]["day_before"],
            "month": served["totals"]["last_month"],
            "no_shows": f["no_shows"],
        },
    )
    _line(
        pdf,
        _("Within the charter's %(minutes)s-minute wait: %(met)s of %(n)s (%(pct)s).")
        % {
            "minutes": waits["standard_minutes"],
            "met": waits["met"],
            "n": waits["n"],
            "pct": _pct(waits["pct"]),
        },
    )
    s = f["satisfaction"]
    _line(
        pdf,
        _("Satisfaction: %(pct)s of %(n)s ratings (standard %(standard)s%%).")
        % {"pct": _pct(s["pct"]), "n": s["ratings"], "standard": s["standard_pct"]},
    )
    _line(
        pdf,
        _(
            "Complaints received %(received)s, overdue %(overdue)s. "
            "Applications breaching turnaround: %(breaches)s."
        )
        % {**f["complaints"], "breaches": f["breaches"]["count"]},
    )
    r = f["revenue"]
    _line(
        pdf,
        _("Revenue %(total)s (M-Pesa %(mpesa)s, card %(card)s, cash %(cash)s).")
        % {k: format_kes(r[k]) for k in ("total", "mpesa", "card", "cash")},
    )
    _heading(pdf, _("Served by service"))
    _table(
        pdf,
        (_("Service"), _("Today"), _("Day before"), _("Last month")),
        [(_name(row), row["today"], row["day_before"], row["last_month"]) for row in served["rows"]]
        or [(_("Nobody was served."), "", "", "")],
        (100, 30, 30, 30),
    )
    _heading(pdf, _("Waits against the charter"))
    _table(
        pdf,
        (_("Service"), _("Waited"), _("Within standard"), _("Share")),
        [(_name(row), row["n"], row["met"], _pct(row["pct"])) for row in waits["rows"]]
        or [(_("Nobody waited."), "", "", "")],
        (100, 30, 30, 30),
    )
    _heading(pdf, _("Cash-up of every officer"))
    _table(
        pdf,
        (_("Officer"), _("Cash payments"), _("Cash to hand over"), _("Card taken")),
        [
            (c["officer"], c["cash_count"], format_kes(c["cash_net"]), format_kes(c["card_taken"]))
            for c in f["cashups"]
        ]
        or [(_("No officer took cash or card payments."), "", "", "")],
        (85, 30, 40, 35),
    )
    _heading(pdf, _("Staff on duty"))
    _table(
        pdf,
        (_("Officer"), _("Counters"), _("From"), _("To")),
        [
            (d["officer"], ", ".join(map(str, d["counters"])), d["from"], d["to"] or _("still on"))
            for d in f["staff"]
        ]
        or [(_("Nobody signed in to a counter."), "", "", "")],
        (85, 45, 30, 30),
    )
    _heading(pdf, _("Counters idle while people waited"))
    _table(
        pdf,
        (_("Counter"), _("Minutes")),
        [(f"{i['counter']} {i['name']}".strip(), i["minutes"]) for i in f["idle"]]
        or [(_("None."), "")],
        (150, 40),
    )
    if f["breaches"]["rows"]:
        _heading(pdf, _("Applications breaching turnaround"))
        _table(
            pdf,
            (_("Tracking number"), _("Service"), _("Due")),
            [(b["tracking_number"], _name(b), b["due_on"]) for b in f["breaches"]["rows"]],
            (40, 110, 40),
        )
    return bytes(pdf.output())


def evaluation_pdf(
    *, quarter: str, first: dt.date, last: dt.date, sections: list[tuple[str, list]], made: str
) -> bytes:
    """The quarterly evaluation report for the Technical Committee: each standard's compliance
    per MDA, centre and service, worst first. `sections`: (title, [Compliance])."""
    title = _("Service delivery standards: evaluation report")
    pdf = _new(f"{title} {quarter}")
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, _l1(f"{title}, {quarter}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8.5)
    _line(
        pdf,
        _("For the Technical Committee. Period %(first)s to %(last)s; made %(made)s from the data.")
        % {"first": first.isoformat(), "last": last.isoformat(), "made": made},
    )
    _line(
        pdf,
        _(
            "Each charter line is a standard with a target share: a citizen called within the "
            "charter's maximum wait, an application ready within its turnaround. Worst first."
        ),
    )
    for heading, rows in sections:
        _heading(pdf, heading)
        _table(
            pdf,
            (_("Name"), _("Measured"), _("Met"), _("Share"), _("Target"), _("Gap")),
            [(c.label, c.n, c.met, _pct(c.pct), f"{c.target_pct}%", f"{c.gap:+}") for c in rows]
            or [(_("Nothing measured in this period."), "", "", "", "", "")],
            (80, 22, 22, 22, 22, 22),
        )
    return bytes(pdf.output())
