"""The public holidays the platform starts with; the Secretariat keeps the list in the admin."""

# Public Holidays Act: the same date every year.
FIXED = [
    ("New Year's Day", 1, 1),
    ("Labour Day", 5, 1),
    ("Madaraka Day", 6, 1),
    ("Utamaduni Day", 10, 10),
    ("Mashujaa Day", 10, 20),
    ("Jamhuri Day", 12, 12),
    ("Christmas Day", 12, 25),
    ("Boxing Day", 12, 26),
]
# The feasts whose date moves each year. The Secretariat adds each one's date for the year in
# the admin (*Public holidays*, with the year), which warns while a year lacks one of them.
MOVABLE_FEASTS = ("Good Friday", "Easter Monday", "Idd-ul-Fitr", "Idd-ul-Azha")
# Their dates as far as known: Easter is computed; the two Idds follow the moon and are gazetted
# shortly before (the expected dates here are corrected in the admin if the gazette differs).
MOVABLE = [
    ("Good Friday", 2026, 4, 3),
    ("Easter Monday", 2026, 4, 6),
    ("Idd-ul-Fitr", 2026, 3, 20),
    ("Idd-ul-Azha", 2026, 5, 27),
    ("Good Friday", 2027, 3, 26),
    ("Easter Monday", 2027, 3, 29),
]


def movable_missing(year: int) -> list[str]:
    """The movable feasts with no date yet for `year`."""
    from huduma.core.models import Holiday

    dated = set(Holiday.objects.filter(year=year).values_list("name", flat=True))
    return [name for name in MOVABLE_FEASTS if name not in dated]


def holidays_seed() -> int:
    """Add the starting list where it is missing (an emptied table, a fresh test database).
    Returns how many rows were added."""
    from huduma.core import clock
    from huduma.core.models import Holiday

    added = 0
    for name, month, day in FIXED:
        _, created = Holiday.objects.get_or_create(
            year=None, month=month, day=day, defaults={"name": name}
        )
        added += created
    for name, year, month, day in MOVABLE:
        _, created = Holiday.objects.get_or_create(
            year=year, month=month, day=day, defaults={"name": name}
        )
        added += created
    clock.holidays_changed()
    return added
