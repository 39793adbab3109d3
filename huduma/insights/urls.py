"""Pages of the national dashboard, and the open data."""

from django.urls import path

from huduma.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/export/<slug:name>.csv", views.export, name="export"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/centres-monthly.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/centres-monthly.json", views.open_data_json, name="open_data_json"),
]
