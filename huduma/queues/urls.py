from django.urls import path

from huduma.queues import views

app_name = "queues"

urlpatterns = [
    path("staff/centres/<slug:code>/reception/", views.reception, name="reception"),
    path("staff/centres/<slug:code>/check-in/", views.check_in, name="check_in"),
    path("staff/centres/<slug:code>/live/", views.live, name="live"),
    path("staff/tickets/<uuid:visit_id>/", views.issued, name="issued"),
    path("staff/counters/<int:counter_id>/", views.console, name="console"),
    path(
        "staff/counters/<int:counter_id>/<slug:action>/",
        views.console_action,
        name="console_action",
    ),
    path("kiosk/<slug:code>/", views.kiosk, name="kiosk"),
    path("kiosk/<slug:code>/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("kiosk/tickets/<uuid:visit_id>/", views.kiosk_ticket, name="kiosk_ticket"),
    path("display/<slug:code>/", views.display, name="display"),
    path("display/<slug:code>/calls/", views.display_calls, name="display_calls"),
    path("queue/<slug:code>/join/", views.join, name="join"),
    path("queue/<slug:code>/book/", views.book, name="book"),
    path("queue/<slug:code>/book/<slug:reference>/", views.booked, name="booked"),
    path("queue/tickets/<uuid:visit_id>/", views.ticket, name="ticket"),
]
