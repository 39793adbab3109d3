"""Huduma Mashinani: outreach plans (planning) and the field kits that sync from them (sync)."""

from huduma.outreach.plan_models import *
from huduma.outreach.sync_models import *
