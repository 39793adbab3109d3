"""Phone numbers are refused, not reshaped, unless written as digits with single spaces,
hyphens or dots between groups and an optional leading + (huduma/core/phones.py)."""

import pytest

from huduma.core.phones import InvalidPhoneNumber, normalise_phone

ACCEPTED = [
    "0712345678",
    "0712 345 678",
    "0712-345-678",
    "0712.345.678",
    "+254 712 345 678",
    "+254712345678",
    "254712345678",
    "712345678",
    "+254-712-345-678",
    " 0712 345 678 ",  # surrounding blanks, as a form field trims them
]

REFUSED = [
    "0712 345 678 ext 12",  # an extension
    "0712345678x123",
    "0712345678 x123",
    "0712345678;ext=12",
    "(0712) 345678",  # brackets
    "+254 (712) 345 678",
    "\u202e0712345678",  # right-to-left override
    "0712\u200e345678",  # left-to-right mark
    "0712\u200b345678",  # zero-width space
    "0712\u00ad345678",  # soft hyphen
    "\u2067+254712345678\u2069",  # directional isolates
    "０７１２３４５６７８",  # fullwidth digits
    "٠٧١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    "07１2345678",  # one fullwidth digit among ASCII ones
    "0712--345678",  # two separators in a row
    "0712 - 345 678",
    "0712/345/678",
    "++254712345678",
    "254+712345678",
    "0712345678-",
    "tel:0712345678",
    "0712 345 678\n0722 000 111",
    "０",
    "0712\x00345678",
]


@pytest.mark.parametrize("raw", ACCEPTED)
def test_plainly_written_numbers_are_accepted(raw):
    assert normalise_phone(raw) == "+254712345678"


@pytest.mark.parametrize("raw", REFUSED)
def test_numbers_with_extensions_brackets_or_hidden_characters_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


def test_a_refusal_on_the_api_names_the_phone_field(client, world, clock):
    response = client.post(
        "/api/queues/centres/gpo-nairobi/join",
        {
            "services": ["NHIF-REGISTRATION"],
            "phone": "0712 345 678 ext 12",
            "requirements_confirmed": True,
        },
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "phone")


def test_a_bad_number_is_a_domain_error_naming_the_phone():
    """Phone errors are DomainErrors: a verb lets them pass and every face answers a 400 at
    the phone field (core.errors), with no conversion at each call site."""
    from huduma.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        normalise_phone("0712 345 67x")
    assert isinstance(refused.value, InvalidPhoneNumber)
    assert (refused.value.status, refused.value.field, refused.value.code) == (
        400,
        "phone",
        "invalid_phone",
    )


def test_the_api_answers_a_bad_number_at_the_phone_field(client, world):
    client.force_login(world.bob)
    response = client.post(
        "/api/queues/centres/gpo-nairobi/visits",
        {"services": ["NRB-ID-DUPLICATE"], "requirements_confirmed": True, "phone": "07123"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "phone" and response.json()["code"] == "invalid_phone"
