import logging
import sys

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class CoreConfig(AppConfig):
    name = "huduma.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core.signals import request_started
        from huey.contrib.djhuey import HUEY, on_startup

        from huduma.core import clock

        # Each request and each Huey task is a unit of work for the holiday list's one cache
        # rule (clock.py): the list is checked against the database before its first use.
        request_started.connect(clock.new_unit_of_work, dispatch_uid="holidays-unit-of-work")
        HUEY.pre_execute(name="holidays-unit-of-work")(clock.new_unit_of_work)
        # An edited holiday list reaches the clock by signal (models import no clock: the clock
        # reads the list). A queryset delete sends post_delete for each row as well.
        from django.db.models.signals import post_delete, post_save

        from huduma.core.models import Holiday

        def holiday_edited(sender, **kwargs) -> None:
            clock.holiday_list_edited()

        post_save.connect(
            holiday_edited, sender=Holiday, weak=False, dispatch_uid="holiday-edited-save"
        )
        post_delete.connect(
            holiday_edited, sender=Holiday, weak=False, dispatch_uid="holiday-edited-delete"
        )

        from huduma.core import ascii_numbers

        ascii_numbers.install()
        if "run_huey" in sys.argv:  # the worker's threads would race to create the pool
            from huduma.core.startup import database_pools_open

            database_pools_open()

        @on_startup()
        def clear_stale_leases() -> None:
            """A worker (re)starting frees the leases its dead predecessor held."""
            from django.db import DatabaseError, close_old_connections

            from huduma.core.periodic import stale_leases_clear

            try:
                stale_leases_clear()
            except DatabaseError:
                logger.warning("stale leases not cleared (database away); they expire")
            finally:
                close_old_connections()
