"""Forms of the complaint pages (validation of shape only; the rules are in services.py)."""

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.models import Service
from huduma.complaints.models import PUBLIC_NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, Category, Channel
from huduma.core.i18n import sorted_by_name
from huduma.places.models import Centre


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        choices=Category.choices,
        widget=forms.RadioSelect,
        label=_("What is your complaint about?"),
        error_messages={"required": _("Choose what the complaint is about")},
    )


def _centre_field():
    field = forms.ModelChoiceField(
        queryset=Centre.objects.filter(status=Centre.Status.OPEN).order_by(Lower("name")),
        required=False,
        label=_("Which Huduma Centre? (optional)"),
        empty_label=_("Not about one centre"),
    )
    return field


def _service_field():
    field = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True).order_by("name_en"),
        required=False,
        label=_("Which service? (optional)"),
        empty_label=_("Not about one service"),
    )
    field.label_from_instance = lambda obj: obj.name
    return field


class DetailsForm(forms.Form):
    centre = _centre_field()
    service = _service_field()
    text = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={
            "required": _("Describe what happened"),
            "max_length": _("Describe what happened in %(limit_value)d characters or fewer"),
        },
    )
    names_staff = forms.BooleanField(
        required=False,
        label=_(
            "My complaint is about a member of staff at the centre (the Centre Manager "
            "included): it will not go to the centre or to their MDA"
        ),
    )
    phone = forms.CharField(max_length=32, required=False, label=_("Mobile number"))
    anonymous = forms.BooleanField(
        required=False,
        label=_("Report anonymously (no phone number; follow it with a secret phrase)"),
    )
    secret_phrase = forms.CharField(
        max_length=200,
        required=False,
        label=_("Secret phrase"),
        widget=forms.PasswordInput(render_value=True),
    )
    form_token = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Services in the order of the name shown (Swahili order in Swahili); the queryset
        # still validates what is posted.
        field = self.fields["service"]
        in_order = sorted_by_name(field.queryset)
        field.choices = [("", field.empty_label), *((s.pk, s.name) for s in in_order)]


class StaffEntryForm(DetailsForm):
    category = forms.ChoiceField(choices=Category.choices, label=_("About"))
    channel = forms.ChoiceField(choices=[], label=_("Received by"))

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, Channel(c).label) for c in channels]


class TrackForm(forms.Form):
    reference = forms.CharField(
        max_length=16,
        label=_("Complaint reference"),
        error_messages={"required": _("Enter the complaint reference")},
    )
    proof = forms.CharField(
        max_length=200,
        label=_("Your mobile number, or the secret phrase of an anonymous report"),
        error_messages={"required": _("Enter your mobile number or secret phrase")},
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        label=_("How well was your complaint resolved? (5 very well, 1 not at all)"),
        error_messages={"required": _("Choose a rating from 1 to 5")},
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("What was done"),
        error_messages={"required": _("Say what was done to resolve the complaint")},
    )
    send_as_written = forms.BooleanField(
        required=False, label=_("Send it as written, even if not in the complainant's language")
    )
    public_note = forms.CharField(
        max_length=PUBLIC_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=_("Public status note (optional)"),
        help_text=_(
            "Published on the open data feed. Name nobody and give no phone numbers; "
            "the resolution above stays internal."
        ),
        error_messages={
            "max_length": _("Write the public note in %(limit_value)d characters or fewer")
        },
    )

    def __init__(self, *args, complainant_language: str = "sw", **kwargs):
        super().__init__(*args, **kwargs)
        # The complainant reads this on their page and by SMS: the officer is told in which
        # language to write it.
        self.fields["resolution"].help_text = (
            _("The complainant reads Kiswahili: write it in Kiswahili. It is sent to them by SMS.")
            if complainant_language == "sw"
            else _("The complainant reads English: write it in English. It is sent to them by SMS.")
        )
        self.fields["send_as_written"].widget.attrs["value"] = "1"
