"""Huey tasks of payments: the mop-up of silent M-Pesa requests (and, in providers.py, the
sandbox's callback poster)."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huduma.core.periodic import leased
from huduma.core.sweeps import server_sweep
from huduma.payments import services
from huduma.payments.providers import sandbox_callback_post_task

__all__ = ["card_mop_up_task", "payments_mop_up_task", "sandbox_callback_post_task"]


@db_periodic_task(crontab(minute="*"))
@leased("payments-mop-up", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=10))
@server_sweep
def payments_mop_up_task() -> None:
    """Settle by STK query the pushes whose callback never came (after MOP_UP_AFTER)."""
    services.payments_mop_up()


@db_periodic_task(crontab(minute="*"))
@leased("payments-card-mop-up", period=dt.timedelta(minutes=1), lease=dt.timedelta(minutes=10))
@server_sweep
def card_mop_up_task() -> None:
    """Settle from Pesapal's status the card orders whose IPN never came (CARD_CHECK_AFTER)."""
    services.card_payments_mop_up()
