from django.db import migrations, models


def virtual_tickets_asked(apps, schema_editor):
    # Every virtual ticket was promised the near-front SMS; tickets issued in the centre
    # were never asked.
    Visit = apps.get_model("queues", "Visit")
    Visit.objects.filter(channel__in=["web", "sms"]).exclude(phone="").update(near_front_sms=True)


class Migration(migrations.Migration):
    dependencies = [("queues", "0002_counter_holds_one_ticket_idempotency_scope")]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="near_front_sms",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(virtual_tickets_asked, migrations.RunPython.noop),
    ]
