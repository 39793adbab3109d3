"""Forms of the queue pages; they validate shape only, the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.models import Service
from huduma.core.phones import InvalidPhoneNumber, normalise_phone
from huduma.queues.models import Priority
from huduma.queues.selectors import services_at


class ServicesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # Both languages at once: the kiosk and reception serve citizens in either.
        return f"{obj.name_en} / {obj.name_sw}"

    def clean(self, value):
        # In the order posted (the order chosen), not the queryset's: the visit queues its
        # services in that order (services.visit_issue), never alphabetically.
        found = super().clean(value)
        if not value:
            return found
        by_pk = {str(obj.pk): obj for obj in found}
        return [by_pk[str(v)] for v in dict.fromkeys(value) if str(v) in by_pk]


class IssueForm(forms.Form):
    services = ServicesField(
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Services"),
        error_messages={"required": _("Choose at least one service")},
    )
    priority = forms.ChoiceField(choices=Priority.choices, required=False, label=_("Priority"))
    phone = forms.CharField(required=False, max_length=32, label=_("Mobile number (optional)"))
    # A citizen in the hall watches the screen; the "come now" SMS only if they ask for it.
    near_front_sms = forms.BooleanField(
        required=False, label=_("Text me when I am a few places from the front")
    )
    language = forms.ChoiceField(
        choices=[("sw", "Kiswahili"), ("en", "English")], label=_("Language for SMS")
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services_at(centre).order_by("name_en")


class JoinForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=_("Service"),
        error_messages={"required": _("Choose a service")},
    )
    phone = forms.CharField(
        max_length=32,
        label=_("Mobile number"),
        error_messages={"required": _("Enter your mobile number")},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = services_at(centre)
        self.fields["service"].queryset = self.offered
        self.fields["service"].label_from_instance = lambda obj: obj.name

    def clean_phone(self) -> str:
        # Checked on the page where it is typed, not on the next one (where it is hidden).
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc), code="phone") from exc


class BookingFindForm(forms.Form):
    reference = forms.CharField(
        max_length=12,
        label=_("Booking reference"),
        error_messages={"required": _("Enter the booking reference, like AP-7KQ3XM")},
    )
    phone = forms.CharField(
        max_length=32,
        label=_("Mobile number you booked with"),
        error_messages={"required": _("Enter the mobile number you booked with")},
    )


class CheckInForm(forms.Form):
    reference = forms.CharField(max_length=12, label=_("Appointment reference"))
