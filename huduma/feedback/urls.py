from django.urls import path

from huduma.feedback import views

app_name = "feedback"

urlpatterns = [
    path("eifd/", views.tablet, name="tablet"),
    path("eifd/screen/", views.tablet_screen, name="tablet_screen"),
    path("eifd/rate/", views.tablet_rate, name="tablet_rate"),
    path("eifd/details/", views.tablet_details, name="tablet_details"),
    path("r/<str:token>/", views.rate_link, name="rate_link"),
]
