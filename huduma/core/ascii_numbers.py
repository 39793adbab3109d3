"""Numbers are written in ASCII digits, in every form of the project (pages and the admin).

Python's int(), float() and Decimal() read other scripts' digits: Django's IntegerField,
DecimalField and FloatField, and a ModelChoiceField keyed by an integer id, took "５" (fullwidth)
as 5, so `centre=５` filed a complaint against centre 5. Installed once at start-up
(CoreConfig.ready) on Django's own form fields, so no form can forget it; the API's numbers
are pydantic's (ASCII only) and the hand-parsed ones use core.inputs.ascii_int.
"""

from django import forms
from django.core.exceptions import ValidationError


def non_ascii_digits(value) -> bool:
    """True for text holding a digit (or any character) outside ASCII where a number is due."""
    return isinstance(value, str) and not value.isascii()


def _guard_number(field_class) -> None:
    original = field_class.to_python
    if getattr(original, "ascii_only", False):
        return

    def to_python(self, value):
        if non_ascii_digits(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return original(self, value)

    to_python.ascii_only = True
    field_class.to_python = to_python


def _integer_key(field) -> bool:
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return key.get_internal_type() in (
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    )


def _guard_choice() -> None:
    """ModelChoiceField (and ModelMultipleChoiceField, its subclass) check each posted key here
    before the lookup that would read "５" as 5."""
    original = forms.ModelChoiceField.validate_no_null_characters
    if getattr(original, "ascii_only", False):
        return

    def validate_no_null_characters(self, value):
        original(self, value)
        if non_ascii_digits(value) and _integer_key(self):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )

    validate_no_null_characters.ascii_only = True
    forms.ModelChoiceField.validate_no_null_characters = validate_no_null_characters


def install() -> None:
    for field_class in (forms.IntegerField, forms.DecimalField, forms.FloatField):
        _guard_number(field_class)
    _guard_choice()
