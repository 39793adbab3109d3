"""The first savings method in force, so the page says something on day one. The hours saved
per service are the programme's published figure (4.5 hours); the other inputs are starting
values the Secretariat replaces with its published ones (the page shows them and their source)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    SavingsMethod = apps.get_model("performance", "SavingsMethod")
    if SavingsMethod.objects.exists():
        return
    SavingsMethod.objects.create(
        trip_cost_kes=Decimal("300.00"),
        hour_value_kes=Decimal("150.00"),
        hours_saved_per_service=Decimal("4.50"),
        bribe_kes=Decimal("1000.00"),
        bribe_share_pct=Decimal("10.00"),
        source=(
            "Huduma Kenya: 4.5 hours saved per citizen per service. Trip cost, value of an hour "
            "and bribe figures: starting values, to be replaced by the Secretariat."
        ),
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
