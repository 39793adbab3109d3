"""The field kit's commands (run with HUDUMA_MODE=field on the outreach laptop):

manage.py fieldkit enroll --server https://centre.example --code ABCD2345
manage.py fieldkit pin --username alice   # the officer types their kit-only PIN
manage.py fieldkit pull        # catalogue and plan changes since the last pull
manage.py fieldkit push        # every pending record, batch after batch
manage.py fieldkit run         # pull and push, retrying a broken connection until done
manage.py fieldkit status      # what is pending, refused, and when it last synced
manage.py fieldkit day --visits 60   # a simulated day at the tent (demo, tests, bench)
manage.py fieldkit close-day   # the tent packs up: the day's unserved tickets are ended
"""

import datetime as dt
import getpass
import json
import time

from django.core.management.base import BaseCommand, CommandError

from huduma.core import clock
from huduma.outreach import kit
from huduma.outreach.fieldday import field_day
from huduma.outreach.sync_models import KitRejection


class Command(BaseCommand):
    help = "Enrol this field kit, pull, push, or sync until done."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        enroll = sub.add_parser("enroll")
        enroll.add_argument("--server", required=True)
        enroll.add_argument("--code", required=True)
        pin = sub.add_parser("pin")
        pin.add_argument("--username", required=True)
        pin.add_argument("--pin", default=None, help="(tests) else asked without echo")
        pull = sub.add_parser("pull")
        push = sub.add_parser("push")
        push.add_argument("--max-batches", type=int, default=None)
        push.add_argument(
            "--retry-refused", action="store_true", help="send again what the server refused"
        )
        run = sub.add_parser("run")
        for parser_ in (pull, push, run):
            parser_.add_argument(
                "--server-url", default=None, help="another address of the server (a relay)"
            )
        run.add_argument("--attempts", type=int, default=20)
        run.add_argument("--wait", type=float, default=2.0, help="seconds before a retry")
        sub.add_parser("status")
        day = sub.add_parser("day")
        day.add_argument("--visits", type=int, default=60)
        day.add_argument("--seed", type=int, default=11)
        day.add_argument(
            "--waiting", type=int, default=0, help="tickets left waiting at the end of the day"
        )
        close = sub.add_parser("close-day")
        close.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action.replace('-', '_')}")(**options)
        except kit.KitError as exc:
            raise CommandError(str(exc)) from exc

    def do_enroll(self, *, server, code, **_):
        state = kit.kit_enroll(server=server, code=code)
        where = state.plan.get("sub_county", "") if state.plan else ""
        self.stdout.write(
            f"enrolled as {state.device_id} for {state.centre_code}"
            f"{f' (outreach to {where})' if where else ''}, tickets {state.ticket_prefix}001...\n"
            "Each officer now sets a kit-only PIN: manage.py fieldkit pin --username <name>"
        )

    def do_pin(self, *, username, pin=None, **_):
        if pin is None:
            pin = getpass.getpass(f"Kit PIN for {username}: ")
        kit.officer_pin_set(username=username, pin=pin)
        self.stdout.write(f"kit PIN set for {username}")

    def do_pull(self, *, server_url=None, **_):
        changed = kit.kit_pull(server=server_url)
        self.stdout.write("catalogue updated" if changed else "catalogue unchanged")

    def do_push(self, *, max_batches=None, server_url=None, retry_refused=False, **_):
        report = kit.kit_push(max_batches=max_batches, server=server_url)
        if retry_refused:
            report.counts["taken_on_retry"] = kit.kit_retry_refused(server=server_url)
        self.stdout.write(json.dumps(report.__dict__))

    def do_run(self, *, attempts, wait, server_url=None, **_):
        """Pull once, then push until nothing is pending; a broken connection is retried."""
        started = time.perf_counter()
        for attempt in range(1, attempts + 1):
            try:
                if attempt == 1:
                    kit.kit_pull(server=server_url)
                report = kit.kit_push(server=server_url)
            except kit.KitOffline as exc:
                self.stderr.write(f"attempt {attempt}: offline ({exc}); retrying")
                time.sleep(wait)
                continue
            elapsed = round(time.perf_counter() - started, 3)
            self.stdout.write(
                json.dumps({**report.__dict__, "attempts": attempt, "elapsed_s": elapsed})
            )
            return
        raise CommandError(f"still offline after {attempts} attempts")

    def do_status(self, **_):
        state = kit.kit_state()
        self.stdout.write(
            json.dumps(
                {
                    "device": state.device_id,
                    "server": state.server_url,
                    "pending": kit.pending_count(state),
                    # Sign-ins, failed sign-ins and audited changes not yet reported.
                    "audit_pending": kit.audit_pending(state),
                    "refused": KitRejection.objects.count(),
                    # Held back, not sent: tickets still in the tent's queue (and what was
                    # made under them) go once they end; `close-day` ends them.
                    "held_back": kit.held_back(),
                    "last_push_at": str(state.last_push_at or ""),
                    "last_error": state.last_error,
                    # The plan the kit holds (its outreach: days, venue, services, officers).
                    "outreach": state.plan or None,
                }
            )
        )

    def do_day(self, *, visits, seed, waiting=0, **_):
        report = field_day(visits=visits, seed=seed, waiting=waiting)
        self.stdout.write(json.dumps(report.__dict__))

    def do_close_day(self, *, date=None, **_):
        """The tent packs up: the day's tickets not served are ended (the centre server texts
        each citizen when it receives them); the records held back under them go at the next
        sync."""
        try:
            day = dt.date.fromisoformat(date) if date else clock.local_date()
        except ValueError as exc:
            raise CommandError("--date: use YYYY-MM-DD") from exc
        closed = kit.kit_close_day(day=day)
        self.stdout.write(
            json.dumps(
                {
                    "day": str(day),
                    "closed": [t.visit.number for t in closed.closed],
                    "being_served": closed.being_served,
                }
            )
        )
