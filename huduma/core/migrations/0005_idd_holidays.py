"""The two Idds of 2026 in the reference list of public holidays (issue 17); the Secretariat
adds each movable feast's date for later years in the admin."""

from django.db import migrations

IDDS = [("Idd-ul-Fitr", 2026, 3, 20), ("Idd-ul-Azha", 2026, 5, 27)]


def add(apps, schema_editor):
    Holiday = apps.get_model("core", "Holiday")
    for name, year, month, day in IDDS:
        Holiday.objects.get_or_create(year=year, month=month, day=day, defaults={"name": name})


def remove(apps, schema_editor):
    Holiday = apps.get_model("core", "Holiday")
    for name, year, month, day in IDDS:
        Holiday.objects.filter(name=name, year=year, month=month, day=day).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_task_lease")]
    operations = [migrations.RunPython(add, remove)]
