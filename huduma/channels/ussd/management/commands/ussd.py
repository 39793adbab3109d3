"""Play a USSD session in the terminal, as a phone would: type a choice, see the next screen.

    manage.py ussd                       # as +254700000001, interactively
    manage.py ussd --phone 0712345678 --inputs "1*ID card*1"   # scripted, then stops

Each screen goes through the same engine as Africa's Talking's requests (services.ussd_answer),
so what you see is what a caller sees: the limits, the languages, the SMS sent (listed after
an END).
"""

import secrets

from django.core.management.base import BaseCommand, CommandError

from huduma.channels.ussd import services
from huduma.notify.models import Message


class Command(BaseCommand):
    help = "Play a USSD session in the terminal, as a phone would."

    def add_arguments(self, parser):
        parser.add_argument("--phone", default="+254700000001")
        parser.add_argument("--service-code", default="*384*1919#")
        parser.add_argument(
            "--inputs", default=None, help='Answers joined by "*", played one by one, then stop.'
        )

    def handle(self, *args, phone, service_code, inputs, **options):
        try:
            phone = services.phone_checked(phone)
        except services.BadRequest as exc:
            raise CommandError(exc.message) from exc
        session_id = "cli-" + secrets.token_hex(8)
        scripted = None if inputs is None else [i for i in inputs.split("*")]
        self.stdout.write(f"Dialling {service_code} from {phone} (session {session_id})")
        started = Message.objects.filter(to=phone).count()
        said: list[str] = []
        while True:
            answer = services.ussd_answer(
                session_id=session_id, phone=phone, text="*".join(said), service_code=service_code
            )
            self._screen(answer.reply)
            if answer.end:
                break
            if scripted is not None:
                if not scripted:
                    break
                value = scripted.pop(0)
                self.stdout.write(f"> {value}")
            else:
                try:
                    value = input("> ")
                except EOFError:
                    break
            said.append(value.strip())
        for message in Message.objects.filter(to=phone).order_by("created_at")[started:]:
            self.stdout.write(f"SMS to {message.to}: {message.body}")

    def _screen(self, reply: str) -> None:
        width = 30
        self.stdout.write("+" + "-" * width + "+")
        for line in reply.splitlines():
            while line:
                self.stdout.write("|" + line[:width].ljust(width) + "|")
                line = line[width:]
        self.stdout.write("+" + "-" * width + f"+ {len(reply)} chars")
