"""Forms of the staff pages; they validate shape only, the verbs enforce the rules."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huduma.accounts.models import Device
from huduma.places.models import Counter


class CounterField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Within one centre's page the centre's name would only repeat.
        return (gettext("Counter %(number)s") % {"number": obj.number} + f" {obj.name}").strip()


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(choices=Device.Kind.choices, label=_("Kind"))
    name = forms.CharField(max_length=80, label=_("Name"), help_text=_("e.g. Tablet counter 3"))
    counter = CounterField(
        queryset=Counter.objects.none(),
        required=False,
        label=_("Counter"),
        empty_label=_("The hall (no counter)"),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counter"].queryset = centre.counters.filter(is_active=True).order_by("number")


class PairForm(forms.Form):
    code = forms.CharField(max_length=20, label=_("Pairing code"))
