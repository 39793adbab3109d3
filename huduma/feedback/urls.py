from django.urls import path

from huduma.feedback import views

app_name = "feedback"

urlpatterns = [
    path("eifd/", views.tablet, name="tablet"),
    path("eifd/screen/", views.tablet_screen, name="tablet_screen"),
    path("eifd/rate/", views.tablet_rate, name="tablet_rate"),
    path("eifd/details/", views.tablet_details, name="tablet_details"),
    path("r/<str:token>/", views.rate_link, name="rate_link"),
    path("s/<str:token>/", views.survey, name="survey"),
    path("staff/feedback/", views.report, name="national_report"),
    path("staff/centres/<slug:code>/feedback/", views.report, name="centre_report"),
    path("staff/centres/<slug:code>/feedback/live/", views.live_panel, name="live_panel"),
    path(
        "staff/feedback/ratings/<uuid:rating_id>/complaint/",
        views.rating_complaint,
        name="rating_complaint",
    ),
]
