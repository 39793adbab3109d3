from django.urls import path

from huduma.payments import views

app_name = "payments"

urlpatterns = [
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
