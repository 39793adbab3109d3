"""What the web server checks before it takes a request: the system checks tagged
START_TAG (an app registers its own, e.g. huduma/payments/checks.py). A serious one stops it."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

START_TAG = "huduma.start"


def refuse_unsafe_start() -> None:
    messages = checks.run_checks(tags=[START_TAG], include_deployment_checks=True)
    serious = [m for m in messages if m.is_serious() and not m.is_silenced()]
    if serious:
        raise ImproperlyConfigured(
            "Huduma refuses to start:\n"
            + "\n".join(f"{m.id}: {m.msg} {m.hint or ''}" for m in serious)
        )


def database_pools_open() -> None:
    """Create each database's connection pool once, before the server's threads start: Django
    creates it on first use without a lock, and threads racing there each made one (a pool
    leaked per race, with its connections, beyond the documented bound)."""
    from django.db import connections

    for connection in connections.all(initialized_only=False):
        getattr(connection, "pool", None)
