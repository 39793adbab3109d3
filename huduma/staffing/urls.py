"""Pages of Establishment, training and the cross-training planner."""

from django.urls import path

from huduma.staffing import views

app_name = "staffing"

urlpatterns = [
    path("staff/staffing/", views.index, name="index"),
    path("staff/staffing/my-training/", views.my_training, name="my_training"),
    path(
        "staff/staffing/redeployment/<int:pk>/answer/",
        views.redeployment_answer,
        name="redeployment_answer",
    ),
    path(
        "staff/centres/<slug:code>/establishment/",
        views.establishment_page,
        name="establishment",
    ),
    path("staff/centres/<slug:code>/training/", views.training_page, name="training"),
    path("staff/centres/<slug:code>/planner/", views.planner_page, name="planner"),
]
