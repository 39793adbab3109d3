"""Sign-in forms."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


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
