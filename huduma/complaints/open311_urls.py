from django.urls import re_path

from huduma.complaints import open311

app_name = "open311"

FMT = r"\.(?P<fmt>[a-z0-9]{1,8})$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(
        r"^services/(?P<code>[A-Za-z0-9_-]{1,64})" + FMT, open311.service_definition, name="service"
    ),
    re_path(r"^requests" + FMT, open311.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<reference>[A-Za-z0-9 -]{1,20})" + FMT,
        open311.request_detail,
        name="request",
    ),
]
