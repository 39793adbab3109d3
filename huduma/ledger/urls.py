from django.urls import path

from huduma.ledger import views

app_name = "ledger"

urlpatterns = [
    path("receipts/verify/", views.verify, name="verify"),
    path("receipts/public-key.pem", views.public_key, name="public_key"),
    path("receipts/keys.json", views.key_set, name="key_set"),
    path("staff/receipts/<str:number>/", views.receipt, name="receipt"),
    path("staff/revenue/", views.revenue, name="revenue"),
    path("staff/centres/<slug:code>/revenue/", views.revenue, name="centre_revenue"),
    path("staff/reconciliation/", views.reconciliation, name="reconciliation"),
    path("staff/refunds/", views.refunds, name="refunds"),
]
