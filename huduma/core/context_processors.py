from django.conf import settings


def complaints(request):
    return {
        "complaints": {
            "phone": settings.COMPLAINTS_PHONE,
            "email": settings.COMPLAINTS_EMAIL,
            "short_code": settings.COMPLAINTS_SHORT_CODE,
        },
        "contact_centre_phone": settings.CONTACT_CENTRE_PHONE,
    }


def payments_sandbox(request):
    """True on an installation declared a payments sandbox (HUDUMA_PAYMENTS_SANDBOX=1): every
    layout shows the SANDBOX banner, and no receipt it prints is genuine."""
    return {"payments_sandbox": settings.PAYMENTS_SANDBOX}
