"""Forms of the staff pages (sign-in code, devices); they validate shape only, the verbs
enforce the rules."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huduma.accounts.models import Device
from huduma.places.models import Counter


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}\Z", _("Enter the 6-digit code from your app"))],
        error_messages={"required": _("Enter the 6-digit code from your app")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Authenticator apps show "123 456": accept the space a person copies with it.
        if self.is_bound:
            data = self.data.copy()
            data["code"] = "".join(str(data.get("code", "")).split())
            self.data = data


class UnlockForm(CodeForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": _("Enter your username")},
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter your password")},
    )
    field_order = ["username", "password", "code"]


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
