from django.urls import path

from huduma.complaints import views

app_name = "complaints"

urlpatterns = [
    path("complaints/new/", views.start, name="start"),
    path("complaints/new/details/", views.details, name="details"),
    path("complaints/track/", views.track, name="track"),
    path("complaints/<str:reference>/lodged/", views.lodged, name="lodged"),
    path("complaints/<str:reference>/", views.status, name="status"),
    path("complaints/<str:reference>/confirm/", views.confirm, name="confirm"),
    path("complaints/<str:reference>/reopen/", views.reopen, name="reopen"),
    path("staff/complaints/", views.worklist, name="worklist"),
    path("staff/complaints/new/", views.staff_new, name="staff_new"),
    path("staff/complaints/<str:reference>/", views.staff_detail, name="staff_detail"),
    path(
        "staff/complaints/<str:reference>/<slug:action>/",
        views.staff_action,
        name="staff_action",
    ),
]
