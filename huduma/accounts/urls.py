from django.contrib.auth import views as auth_views
from django.urls import path

from huduma.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", views.two_factor, name="two_factor"),
    path("sign-in/unlock/", views.unlock, name="unlock"),
    path("sign-out/", auth_views.LogoutView.as_view(next_page="catalogue:home"), name="logout"),
    path("", views.home, name="home"),
    path("centres/<slug:code>/", views.centre, name="centre"),
    path("centres/<slug:code>/devices/", views.device_list, name="devices"),
    path(
        "centres/<slug:code>/devices/<uuid:device_id>/<slug:action>/",
        views.device_action,
        name="device_action",
    ),
]
