"""Periodic work that only the centre server may do.

A field kit runs the same code and the same Huey worker, but the sweeps that decide on the
server's records (escalating complaints, texting rating links, near-front SMS, settling M-Pesa
pushes, checkpoints) must not run on a kit: a kit offline after a sync would escalate the
complaints it had already sent, and the server would escalate them again (two SMS each).
"""

import functools
import logging
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)


def on_a_kit() -> bool:
    return settings.HUDUMA_MODE == "field"


def server_sweep(func: Callable) -> Callable:
    """Mark a periodic task as the centre server's: on a field kit it does nothing."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if on_a_kit():
            logger.debug("%s: the centre server's sweep, not run on a field kit", func.__name__)
            return None
        return func(*args, **kwargs)

    wrapper.server_sweep = True
    return wrapper
