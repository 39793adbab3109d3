"""Load the demo counters and staff (after load_reference) and print the demo logins."""

import os

from django.core.management.base import BaseCommand

from huduma.accounts.demo import demo_device_pairing_codes, demo_steps, load_demo_data


class Command(BaseCommand):
    help = "Create demo counters and staff at three centres. Never run this in production."

    def handle(self, *args, **options):
        password = os.environ.get("HUDUMA_DEMO_PASSWORD", "huduma-demo")
        logins = load_demo_data(password)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {password}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<24} {login.role:<42} {login.centre}")
        self.stdout.write(
            "These accounts also ask for a 6-digit code: add the key to an authenticator app "
            "(or scan the URI as a QR code), or print the current code with "
            "`python manage.py demo_totp_code <username>`:"
        )
        for login in logins:
            if login.totp_uri:
                self.stdout.write(f"  {login.username:<24} {login.totp_uri}")
        self.stdout.write(
            "Kiosks and feedback tablets are registered devices: open /device/pair/ on the device "
            "and enter its code (valid 10 minutes; manager.gpo issues new ones at "
            "/staff/centres/gpo-nairobi/devices/):"
        )
        for name, code in demo_device_pairing_codes():
            self.stdout.write(f"  {name:<24} {code}")
        # The apps above accounts (the Open311 key, the outreach calendar) add theirs.
        for step in demo_steps():
            for line in step():
                self.stdout.write(line)
