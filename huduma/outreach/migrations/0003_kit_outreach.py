"""A field kit is enrolled for an outreach (a foreign key in place of a free-text reference),
the kit holds its outreach's plan, and an outreach's ticket prefix is one letter (Visit.prefix
is one character): outreaches planned with "M<n>" get a free letter here."""

import django.db.models.deletion
from django.db import migrations, models

LETTERS = "ZYXWVUTSRQPONM"


def one_letter_prefixes(apps, schema_editor):
    Outreach = apps.get_model("outreach", "Outreach")
    OutreachDay = apps.get_model("outreach", "OutreachDay")
    Service = apps.get_model("catalogue", "Service")
    FieldKit = apps.get_model("outreach", "FieldKit")
    groups = set(Service.objects.exclude(group="").values_list("group", flat=True))
    for outreach in Outreach.objects.order_by("pk"):
        if len(outreach.ticket_prefix) == 1:
            continue
        dates = list(OutreachDay.objects.filter(outreach=outreach).values_list("date", flat=True))
        taken = groups | set(
            FieldKit.objects.filter(device__centre_id=outreach.centre_id).values_list(
                "ticket_prefix", flat=True
            )
        )
        taken |= set(
            OutreachDay.objects.filter(centre_id=outreach.centre_id, date__in=dates)
            .exclude(outreach=outreach)
            .values_list("ticket_prefix", flat=True)
        )
        letter = next(letter for letter in LETTERS if letter not in taken)
        Outreach.objects.filter(pk=outreach.pk).update(ticket_prefix=letter)
        OutreachDay.objects.filter(outreach=outreach).update(ticket_prefix=letter)


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0002_sync'),
        ('catalogue', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='fieldkit',
            name='outreach_ref',
        ),
        migrations.RemoveField(
            model_name='kitstate',
            name='outreach_ref',
        ),
        migrations.AddField(
            model_name='fieldkit',
            name='outreach',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='kits', to='outreach.outreach', verbose_name='outreach'),
        ),
        migrations.AddField(
            model_name='kitstate',
            name='plan',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(one_letter_prefixes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='outreach',
            name='ticket_prefix',
            field=models.CharField(max_length=1, verbose_name='ticket prefix'),
        ),
        migrations.AlterField(
            model_name='outreachday',
            name='ticket_prefix',
            field=models.CharField(max_length=1),
        ),
    ]
