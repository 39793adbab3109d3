from django.conf import settings


def complaints(request):
    return {
        "complaints": {
            "phone": settings.COMPLAINTS_PHONE,
            "email": settings.COMPLAINTS_EMAIL,
            "short_code": settings.COMPLAINTS_SHORT_CODE,
        }
    }
