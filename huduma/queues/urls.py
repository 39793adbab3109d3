from django.urls import path

from huduma.queues.views import citizen, counter, floor, kiosk, reception

app_name = "queues"

urlpatterns = [
    path("staff/centres/<slug:code>/reception/", reception.reception, name="reception"),
    path(
        "staff/centres/<slug:code>/reception/services/",
        reception.service_results,
        name="reception_services",
    ),
    path("staff/centres/<slug:code>/check-in/", reception.check_in, name="check_in"),
    path("staff/centres/<slug:code>/live/", floor.live, name="live"),
    path(
        "staff/centres/<slug:code>/live/open-counter/",
        floor.live_open_counter,
        name="live_open_counter",
    ),
    path("staff/centres/<slug:code>/live/add-skill/", floor.live_add_skill, name="live_add_skill"),
    path("staff/tickets/<uuid:visit_id>/", reception.issued, name="issued"),
    path("staff/my-counter/", counter.my_counter, name="my_counter"),
    path("staff/counters/<int:counter_id>/", counter.console, name="console"),
    path("staff/counters/<int:counter_id>/status/", counter.console_status, name="console_status"),
    path(
        "staff/counters/<int:counter_id>/<slug:action>/",
        counter.console_action,
        name="console_action",
    ),
    path("kiosk/<slug:code>/", kiosk.kiosk, name="kiosk"),
    path("kiosk/<slug:code>/check-in/", kiosk.kiosk_check_in, name="kiosk_check_in"),
    path("kiosk/<slug:code>/start/", kiosk.kiosk_attract, name="kiosk_attract"),
    path("kiosk/<slug:code>/search/", kiosk.kiosk_search, name="kiosk_search"),
    path("kiosk/tickets/<uuid:visit_id>/", kiosk.kiosk_ticket, name="kiosk_ticket"),
    path("display/<slug:code>/", floor.display, name="display"),
    path("display/<slug:code>/calls/", floor.display_calls, name="display_calls"),
    path("queue/<slug:code>/join/", citizen.join, name="join"),
    path("queue/<slug:code>/book/", citizen.book, name="book"),
    path("queue/<slug:code>/book/<slug:reference>/", citizen.booked, name="booked"),
    path("queue/<slug:code>/booking/", citizen.booking_find, name="booking_find"),
    path(
        "queue/<slug:code>/booking/<slug:reference>/",
        citizen.booking_manage,
        name="booking_manage",
    ),
    path(
        "queue/<slug:code>/booking/<slug:reference>/move/",
        citizen.booking_move,
        name="booking_move",
    ),
    path(
        "queue/<slug:code>/booking/<slug:reference>/cancel/",
        citizen.booking_cancel,
        name="booking_cancel",
    ),
    path("queue/tickets/<uuid:visit_id>/", citizen.ticket, name="ticket"),
    path("queue/tickets/<uuid:visit_id>/cancel/", citizen.ticket_cancel, name="ticket_cancel"),
]
