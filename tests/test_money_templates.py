"""No template writes an amount by hand: every amount goes through {% load money %} (`kes`,
`amount`) or the catalogue's `fee`, so a receipt, its page and its SMS read the same."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "huduma" / "templates"

# Names that hold money in the templates' contexts.
MONEY = re.compile(
    r"(amount|_kes\b|\bfee\b|fee_due|\btaken\b|\brefunded\b|\bnet\b|\bcost\b|revenue|spent|"
    r"imprest|balance|\btotal\b)"
)
FILTERED = re.compile(r"\|(kes|amount|fee)\b")
# Not amounts, or not shown as one: a form's redisplay of what was typed, an error message,
# the feedback counts (total.ratings), a search's number of results.
NOT_SHOWN_AMOUNTS = re.compile(r"^(values\.|errors\.|total\.|total$)|_count\b|\|length|\|date")
# An input's value is what the person edits (parse_kes reads it back), not an amount shown.
INPUT_VALUE = re.compile(r'value="[^"]*"')
VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
BLOCK = re.compile(r"\{%\s*blocktranslate\b(.*?)%\}(.*?)\{%\s*endblocktranslate\s*%\}", re.DOTALL)
BOUND = re.compile(r"(\w+)=(\S+)")


def _expressions(text: str):
    """(expression, where) for every {{ }} outside blocktranslate and every with-binding."""
    for match in BLOCK.finditer(text):
        for _name, expression in BOUND.findall(match.group(1)):
            yield expression, "blocktranslate"
    outside = INPUT_VALUE.sub("", BLOCK.sub("", text))
    for expression in VARIABLE.findall(outside):
        yield expression, "page"


def offenders(text: str) -> list[str]:
    found = []
    outside = BLOCK.sub("", text)
    if re.search(r"(KES|Ksh|KSh)\s*\{\{", outside) or re.search(r"\}\}\s*(KES|/=)", outside):
        found.append("an amount with 'KES' written by hand (use |kes)")
    for expression, where in _expressions(text):
        base = expression.split("|")[0].strip()
        if (
            MONEY.search(base)
            and not FILTERED.search(expression)
            and not NOT_SHOWN_AMOUNTS.search(expression)
        ):
            found.append(f"{expression!r} ({where}) shown without |kes or |amount")
    return found


def test_no_template_formats_money_by_hand():
    problems = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        found = offenders(path.read_text())
        if found:
            problems[str(path.relative_to(TEMPLATES))] = found
    assert problems == {}


def test_the_scan_catches_each_way_of_writing_an_amount_by_hand():
    assert offenders("<dd>KES {{ receipt.amount }}</dd>")
    assert offenders("<td>{{ p.amount_kes }}</td>")
    assert offenders("<td>{{ p.amount_kes|floatformat:2 }}</td>")
    assert not offenders("<td>{{ s.service_min|floatformat:1 }}</td>")  # minutes, not money
    assert offenders(
        "{% blocktranslate with amount=refund.amount %}KES {{ amount }} refunded"
        "{% endblocktranslate %}"
    )
    assert offenders("({{ s.fee_kes }} KES)")
    assert not offenders("<dd>{{ receipt.amount|kes }}</dd><td>{{ p.amount_kes|amount }}</td>")
    assert not offenders(
        "{% blocktranslate with amount=refund.amount|amount %}KES {{ amount }} refunded"
        "{% endblocktranslate %}"
    )
