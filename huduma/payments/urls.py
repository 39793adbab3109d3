from django.urls import path

from huduma.payments import views

app_name = "payments"

urlpatterns = [
    path("staff/payments/held/", views.held_list, name="held"),
    path(
        "staff/payments/held/<uuid:payment_id>/propose/",
        views.held_propose,
        name="held_propose",
    ),
    path(
        "staff/payments/held/<uuid:payment_id>/recheck/",
        views.held_recheck,
        name="held_recheck",
    ),
    path(
        "staff/payments/held/decisions/<int:decision_id>/approve/",
        views.held_approve,
        name="held_approve",
    ),
    path(
        "staff/payments/held/decisions/<int:decision_id>/reject/",
        views.held_reject,
        name="held_reject",
    ),
    path("staff/centres/<slug:code>/payments/", views.take, name="take"),
    path("staff/payments/invoices/<uuid:invoice_id>/", views.invoice, name="invoice"),
    path("staff/payments/invoices/<uuid:invoice_id>/pay/", views.pay, name="pay"),
    path("staff/payments/cashup/", views.cashup_page, name="cashup"),
    path(
        "staff/applications/<uuid:application_id>/fee/",
        views.application_fee,
        name="application_fee",
    ),
]
