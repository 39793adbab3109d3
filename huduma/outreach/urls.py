from django.urls import path

from huduma.outreach import sync_views

app_name = "outreach"

urlpatterns: list = [
    path("staff/centres/<slug:code>/field-kits/", sync_views.field_kits, name="field_kits"),
    path(
        "staff/centres/<slug:code>/field-kits/<str:node_id>/revoke/",
        sync_views.field_kit_revoke,
        name="field_kit_revoke",
    ),
    path(
        "staff/centres/<slug:code>/field-kits/conflicts/<int:conflict_id>/",
        sync_views.conflict_resolve,
        name="conflict_resolve",
    ),
]
