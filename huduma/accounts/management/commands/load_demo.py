"""Load the demo counters and staff (after load_reference) and print the demo logins."""

import os

from django.core.management.base import BaseCommand

from huduma.accounts.demo import load_demo_data
from huduma.complaints.services import open311_demo_key


class Command(BaseCommand):
    help = "Create demo counters and staff at three centres. Never run this in production."

    def handle(self, *args, **options):
        password = os.environ.get("HUDUMA_DEMO_PASSWORD", "huduma-demo")
        logins = load_demo_data(password)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<24} {login.role:<42} {login.centre}")
        # A fresh key on every run (only its hash is stored, so the old one cannot be shown).
        self.stdout.write(f"Open311 API key: {open311_demo_key()}")
