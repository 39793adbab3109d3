from django.contrib import admin
from django.urls import include, path

from huduma.accounts.admin_site import TwoFactorAdminSite
from huduma.api import api

# The admin requires a verified second factor (django-otp), reached through the staff sign-in.
admin.site.__class__ = TwoFactorAdminSite
admin.site.site_header = "Huduma administration"
admin.site.site_title = "Huduma"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("huduma.queues.urls")),
    path("", include("huduma.complaints.urls")),
    path("open311/v2/", include("huduma.complaints.open311_urls")),
    path("staff/", include("huduma.accounts.urls")),
    path("device/", include("huduma.accounts.device_urls")),
    path("", include("huduma.feedback.urls")),
    path("", include("huduma.ledger.urls")),
    path("", include("huduma.payments.urls")),
    path("", include("huduma.catalogue.urls")),
    path("", include("huduma.applications.urls")),
    path("", include("huduma.outreach.urls")),
    path("", include("huduma.staffing.urls")),
    path("", include("huduma.channels.ussd.urls")),
    path("", include("huduma.channels.contact.urls")),
    path("", include("huduma.channels.assistant.urls")),
    path("", include("huduma.performance.urls")),
    path("", include("huduma.insights.urls")),
]

handler500 = "huduma.core.outage.server_error"
