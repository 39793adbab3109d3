"""`{% load money %}`: every amount a template shows goes through core.money.

    {{ receipt.amount|kes }}       KES 1,050.00
    {{ row.net|amount }}           1,050.00  (a column headed "(KES)"; a translated sentence
                                   that spells "KES %(amount)s": with amount=x|amount)

An empty value (None, "") shows as itself, so `|default:"–"` still works after the filter.
tests/test_money_templates.py fails if a template writes an amount any other way.
"""

from django import template

from huduma.core.money import format_amount, format_kes

register = template.Library()


@register.filter
def kes(value) -> str:
    if value is None or value == "":
        return ""
    return format_kes(value)


@register.filter
def amount(value) -> str:
    if value is None or value == "":
        return ""
    return format_amount(value)
