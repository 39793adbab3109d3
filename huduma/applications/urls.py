from django.urls import path

from huduma.applications import views

app_name = "applications"

urlpatterns = [
    path(
        "staff/counters/<int:counter_id>/applications/open/",
        views.open_from_console,
        name="open_from_console",
    ),
    path("staff/applications/", views.worklist, name="worklist"),
    path("staff/applications/bulk/", views.bulk, name="bulk"),
    path("staff/applications/<uuid:application_id>/", views.detail, name="detail"),
    path("staff/applications/<uuid:application_id>/move/", views.move, name="move"),
    path("staff/centres/<slug:code>/referrals/", views.referrals, name="referrals"),
    path("staff/referrals/<uuid:referral_id>/close/", views.referral_close, name="referral_close"),
    path("staff/centres/<slug:code>/live/applications/", views.live_panel, name="live_panel"),
    path("applications/track/", views.track, name="track"),
]
