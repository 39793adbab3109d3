from django import template

from huduma.catalogue.pdf import turnaround_text
from huduma.core.money import format_kes

register = template.Library()


@register.filter
def kes(amount) -> str:
    return format_kes(amount)


@register.filter
def turnaround(days: int) -> str:
    return turnaround_text(days)
