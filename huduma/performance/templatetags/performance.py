from django import template

from huduma.core.i18n import current_language

register = template.Library()


@register.filter
def local_name(row: dict) -> str:
    """A name kept in a report's figures in both languages (name_en, name_sw), in the reader's."""
    return row.get(f"name_{current_language()}") or row.get("name_en", "")


@register.filter
def pct(value) -> str:
    return "–" if value is None else f"{value}%"
