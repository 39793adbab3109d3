"""mHuduma over USSD: Africa's Talking's callback and end-of-session notification URLs."""

from django.urls import path

from huduma.channels.ussd import views

app_name = "ussd"
urlpatterns = [
    path("ussd/africastalking", views.callback, name="callback"),
    path("ussd/africastalking/session-end", views.session_end, name="session_end"),
]
