from django.contrib import admin

from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.payments.models import PaybillTransaction


@admin.register(PaybillTransaction)
class PaybillTransactionAdmin(ReadOnlyAdmin):
    list_display = ["trans_id", "paid_at", "amount_kes", "short_code", "bill_ref"]
    list_filter = ["short_code"]
    search_fields = ["trans_id", "bill_ref"]
    date_hierarchy = "paid_at"
    # The payer's number is personal data: shown on the record only, not in the list.
