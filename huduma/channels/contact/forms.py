"""Forms of the desk (shape only; the rules are the owning apps' services)."""

from django import forms
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from huduma.catalogue.models import MDA, Service
from huduma.channels.contact.models import NOTE_MAX_LENGTH, Outcome, WrapUp
from huduma.complaints.models import TEXT_MAX_LENGTH, Category
from huduma.places.models import Centre

LANGUAGES = [("sw", "Kiswahili"), ("en", "English")]


def _centres(required: bool):
    return forms.ModelChoiceField(
        queryset=Centre.objects.filter(status=Centre.Status.OPEN).order_by(Lower("name")),
        required=required,
        label=_("Huduma Centre"),
        empty_label=_("Choose a centre") if required else _("Not about one centre"),
        error_messages={"required": _("Choose a centre")},
    )


def _services(required: bool):
    field = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True).order_by("name_en"),
        required=required,
        label=_("Service"),
        empty_label=_("Choose a service") if required else _("Not about one service"),
        error_messages={"required": _("Choose a service")},
    )
    field.label_from_instance = lambda obj: obj.name
    return field


class ArticleSmsForm(forms.Form):
    article = forms.SlugField(error_messages={"required": _("Choose a public article to send.")})
    language = forms.ChoiceField(choices=LANGUAGES, label=_("Language of the SMS"))


class FreeTimesForm(forms.Form):
    """The first step of a booking: which centre, service and day (then its free times)."""

    centre = _centres(True)
    service = _services(True)
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("Choose a day"), "invalid": _("Choose a day")},
    )


class BookForm(forms.Form):
    centre = _centres(True)
    service = _services(True)
    slot_start = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        error_messages={
            "required": _("Choose a time"),
            "invalid": _("Enter the time as day and hour, e.g. 2026-11-25 10:15"),
        },
    )
    language = forms.ChoiceField(choices=LANGUAGES, label=_("Language of the SMS"))


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        max_length=20,
        label=_("Tracking number"),
        error_messages={"required": _("Enter the tracking number")},
    )


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", _("Choose")), *Category.choices],
        label=_("What is the complaint about?"),
        error_messages={"required": _("Choose what the complaint is about")},
    )
    centre = _centres(False)
    service = _services(False)
    text = forms.CharField(
        label=_("What happened, in the caller's words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": _("Describe what happened")},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class TransferForm(forms.Form):
    mda = forms.ModelChoiceField(
        queryset=MDA.objects.order_by("name_en"),
        label=_("MDA desk"),
        empty_label=_("Choose an MDA"),
        error_messages={"required": _("Choose an MDA")},
    )
    mda.label_from_instance = lambda obj: obj.name


class WrapUpForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("", _("Choose")), *[c for c in Outcome.choices if c[0] != Outcome.DROPPED]],
        label=_("Outcome"),
        error_messages={"required": _("Choose the call's outcome.")},
    )
    wrap_up = forms.ChoiceField(
        choices=[("", _("Choose")), *WrapUp.choices],
        label=_("Wrap-up code"),
        error_messages={"required": _("Choose a wrap-up code.")},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Counselling note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=NOTE_MAX_LENGTH,
        error_messages={"required": _("Write the note.")},
    )


class KnowledgeFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search the knowledge base"))
    mda = forms.ModelChoiceField(
        queryset=MDA.objects.order_by("name_en"),
        required=False,
        label=_("MDA"),
        empty_label=_("All MDAs"),
    )
    mda.label_from_instance = lambda obj: obj.name
    service = _services(False)
    service.empty_label = _("All services")
    stale = forms.BooleanField(required=False, label=_("Only articles past their review date"))
