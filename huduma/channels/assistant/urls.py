"""Pages of the digital assistant."""

from django.urls import path

from huduma.channels.assistant import views

app_name = "assistant"

urlpatterns = [
    path("assistant/", views.ask, name="ask"),
    path("assistant/<uuid:answer_id>/helpful/", views.feedback, name="feedback"),
    path("assistant/thanks/", views.thanks, name="thanks"),
]
