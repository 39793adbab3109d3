import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class CoreConfig(AppConfig):
    name = "huduma.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from huey.contrib.djhuey import on_startup

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
