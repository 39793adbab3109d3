"""Pages of the Huduma Contact Centre: the desk, the caller's screen, the knowledge portal."""

from django.urls import path

from huduma.channels.contact import views

app_name = "contact"

urlpatterns = [
    path("contact/", views.desk, name="desk"),
    path("contact/panel/", views.desk_panel, name="desk_panel"),
    path("contact/calls/<str:call_id>/", views.call_screen, name="call"),
    path("contact/calls/<str:call_id>/<slug:action>/", views.call_action, name="call_action"),
    path("staff/knowledge/", views.knowledge, name="knowledge"),
    path("staff/knowledge/<slug:slug>/", views.knowledge_article, name="knowledge_article"),
]
