from django import template

from huduma.catalogue.pdf import fee_text, opening_hours_text, turnaround_text
from huduma.core.templatetags import money

register = template.Library()

# {% load catalogue %} keeps its `kes` (the one in {% load money %}, core.money.format_kes).
register.filter("kes", money.kes)


@register.filter
def turnaround(days: int) -> str:
    return turnaround_text(days)


@register.filter
def fee(amount) -> str:
    """An official fee: "Free" (translated) for nothing, else KES 1,050.00."""
    return fee_text(amount)


@register.filter
def opening_hours(hours: str) -> str:
    return opening_hours_text(hours)
