from django.urls import path

from huduma.outreach import sync_views, views

app_name = "outreach"

urlpatterns = [
    path("staff/outreach/", views.index, name="index"),
    path("staff/outreach/report/", views.month_report, name="month_report"),
    path("staff/centres/<slug:code>/outreach/", views.calendar, name="calendar"),
    path("staff/centres/<slug:code>/outreach/propose/", views.propose, name="propose"),
    path("staff/outreach/<int:outreach_id>/", views.detail, name="detail"),
    path("staff/outreach/<int:outreach_id>/days/", views.set_days, name="days"),
    path("staff/outreach/<int:outreach_id>/venue/", views.set_venue, name="venue"),
    path("staff/outreach/<int:outreach_id>/services/", views.set_services, name="services"),
    path("staff/outreach/<int:outreach_id>/officer/", views.assign_officer, name="officer"),
    path("staff/outreach/<int:outreach_id>/agree/", views.agree, name="agree"),
    path("staff/outreach/<int:outreach_id>/communicate/", views.communicate, name="communicate"),
    path("staff/outreach/<int:outreach_id>/move/", views.move, name="move"),
    path("staff/outreach/<int:outreach_id>/logistics/", views.logistics, name="logistics"),
    path("staff/outreach/<int:outreach_id>/expenses/", views.expense, name="expense"),
    path(
        "staff/outreach/<int:outreach_id>/reimbursements/",
        views.reimbursement_request,
        name="reimbursement_request",
    ),
    path(
        "staff/outreach/reimbursements/<int:claim_id>/approve/",
        views.reimbursement_approve,
        name="reimbursement_approve",
    ),
    path("staff/outreach/<int:outreach_id>/announce/", views.announce, name="announce"),
    path("staff/outreach/<int:outreach_id>/poster/", views.poster, name="poster"),
    path("staff/outreach/<int:outreach_id>/report/", views.report, name="report"),
    path("mashinani/", views.opt_in, name="opt_in"),
    path("mashinani/suggest/", views.suggest, name="suggest"),
    path("staff/centres/<slug:code>/field-kits/", sync_views.field_kits, name="field_kits"),
    path(
        "staff/centres/<slug:code>/field-kits/<str:node_id>/code/",
        sync_views.field_kit_code,
        name="field_kit_code",
    ),
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
