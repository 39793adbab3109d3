"""How often one tablet may press: per device, not per address, since a centre's tablets may
all reach us through one router. A counter serves about one citizen a minute; 300 presses in
ten minutes leaves room for a child at play and stops a runaway script."""

from django.utils.translation import gettext as _

from huduma.accounts.models import Device
from huduma.core.throttle import hit
from huduma.feedback.errors import Throttled

PRESSES = 300
WINDOW_S = 600


def check_device_presses(device: Device) -> None:
    if not hit(f"eifd:{device.pk}", limit=PRESSES, window_s=WINDOW_S):
        raise Throttled(_("Too many presses from this tablet. Please wait a few minutes."))
