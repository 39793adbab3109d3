from django.contrib import admin
from django.urls import include, path

from huduma.api import api

admin.site.site_header = "Huduma administration"
admin.site.site_title = "Huduma"

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("huduma.queues.urls")),
    path("staff/", include("huduma.accounts.urls")),
    path("device/", include("huduma.accounts.device_urls")),
    path("", include("huduma.feedback.urls")),
    path("", include("huduma.catalogue.urls")),
]
