"""Pages a registered device opens (no staff session): pairing, and where it lands."""

from django.urls import path

from huduma.accounts import views

app_name = "devices"

urlpatterns = [
    path("pair/", views.device_pair, name="pair"),
    path("paired/", views.device_paired, name="paired"),
]
