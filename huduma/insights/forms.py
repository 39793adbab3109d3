"""The dashboard's question: a period and a cut, read from the query string."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.models import MDA, Service
from huduma.insights.selectors import OUTREACH, Cut, Period
from huduma.places.models import Centre, County
from huduma.queues.models import IssueChannel

MAX_DAYS = 3 * 366  # three years: the oldest rollups anyone asks for


def channel_choices() -> list[tuple[str, str]]:
    return [
        ("", _("All channels")),
        *IssueChannel.choices,
        (OUTREACH, _("Huduma Mashinani outreach")),
    ]


class DashboardForm(forms.Form):
    since = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    county = forms.ModelChoiceField(
        County.objects.all(), label=_("County"), required=False, empty_label=_("All counties")
    )
    centre = forms.ModelChoiceField(
        Centre.objects.all(), label=_("Centre"), required=False, empty_label=_("All centres")
    )
    mda = forms.ModelChoiceField(
        MDA.objects.all(), label=_("MDA"), required=False, empty_label=_("All MDAs")
    )
    service = forms.ModelChoiceField(
        Service.objects.all(), label=_("Service"), required=False, empty_label=_("All services")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)

    def __init__(self, *args, scope: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["channel"].choices = channel_choices()
        if scope is not None:  # a Centre Manager: their centre, nothing else to choose
            self.fields["centre"].queryset = Centre.objects.filter(pk=scope)
            self.fields["county"].queryset = County.objects.filter(centres__pk=scope)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                self.add_error("until", _("The end of the period is before its start."))
            elif (until - since).days > MAX_DAYS:
                self.add_error("until", _("Choose a period of at most three years."))
        centre, county = data.get("centre"), data.get("county")
        if centre and county and centre.county_id != county.pk:
            self.add_error("centre", _("This centre is not in the county chosen."))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["since"], self.cleaned_data["until"])

    def cut(self) -> Cut:
        data = self.cleaned_data
        centre = data.get("centre")
        return Cut(
            county_id=data["county"].pk if data.get("county") else None,
            centre_id=centre.pk if centre else self.scope,
            mda_id=data["mda"].pk if data.get("mda") else None,
            service_id=data["service"].pk if data.get("service") else None,
            channel=data.get("channel") or None,
        )


def default_query(today: dt.date) -> dict:
    """The last 30 days to yesterday: a day in progress would read as a bad day."""
    return {
        "since": (today - dt.timedelta(days=30)).isoformat(),
        "until": (today - dt.timedelta(days=1)).isoformat(),
    }
