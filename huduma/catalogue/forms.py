"""The public pages' filter forms (GET, work without JavaScript)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.selectors import counties_with_centres


class CountyForm(forms.Form):
    """Only the centres of one county (a service page's list of centres)."""

    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=counties_with_centres(),
        to_field_name="code",
        required=False,
        empty_label=_("All counties"),
        error_messages={"invalid_choice": _("Choose a county from the list")},
    )

    def __init__(self, *args, **kwargs):
        # Ids match the field names: the error summary links to #q and #county.
        super().__init__(*args, auto_id="%s", **kwargs)


class CentreFilterForm(CountyForm):
    """Find a centre by name or town, and/or by county."""

    q = forms.CharField(
        label=_("Name or town"),
        max_length=100,
        required=False,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("Enter 100 characters or fewer")},
    )
    field_order = ["q", "county"]
