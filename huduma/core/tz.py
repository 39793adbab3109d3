"""The one time zone every rule reads in (clock.py re-exports it; models import it from here so
that clock, which reads the holiday list, can import models without a loop)."""

from zoneinfo import ZoneInfo

NAIROBI = ZoneInfo("Africa/Nairobi")
