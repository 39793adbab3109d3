from django.urls import path

from huduma.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.search, name="search"),
    path("services/<str:code>/", views.service, name="service"),
    path("centres/", views.centres, name="centres"),
    path("centres/<slug:code>/", views.charter, name="charter"),
    path("centres/<slug:code>/charter.pdf", views.charter_download, name="charter_pdf"),
    path("help/<slug:slug>/", views.article, name="article"),
    path("tutorials/<slug:slug>/", views.tutorial, name="tutorial"),
]
