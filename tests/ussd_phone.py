"""A phone on Africa's Talking's USSD gateway, for the tests: it posts the gateway's exact form
(sessionId, serviceCode, phoneNumber, networkCode, text = every input so far joined by "*") and
checks every answer the way the gateway does (plain text, CON or END, at most 182 characters)."""

import itertools

from django.urls import reverse

TOKEN = "test-ussd-token"
SERVICE_CODE = "*384*1919#"
_sessions = itertools.count(1)


def url(name: str = "ussd:callback", token: str = TOKEN) -> str:
    return reverse(name) + f"?token={token}"


class Phone:
    def __init__(self, client, number: str = "+254712345678", network: str = "63902"):
        self.client = client
        self.number = number
        self.network = network
        self.screens: list[str] = []
        self.session_id = ""
        self.inputs: list[str] = []

    def post(self, text: str, *, session_id: str | None = None):
        return self.client.post(
            url(),
            {
                "sessionId": session_id or self.session_id,
                "serviceCode": SERVICE_CODE,
                "phoneNumber": self.number,
                "networkCode": self.network,
                "text": text,
            },
        )

    def _answer(self, text: str) -> str:
        response = self.post(text)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        body = response.content.decode()
        assert body.startswith(("CON ", "END ")), body
        assert len(body) <= 182, (len(body), body)
        assert body.isascii(), body
        self.screens.append(body)
        return body

    def dial(self) -> str:
        self.session_id = f"ATUid_{next(_sessions):06d}{self.number[-4:]}"
        self.inputs = []
        return self._answer("")

    def press(self, *values: str) -> str:
        body = ""
        for value in values:
            self.inputs.append(value)
            body = self._answer("*".join(self.inputs))
        return body

    def again(self) -> str:
        """The gateway repeating the last request (same sessionId and text)."""
        return self._answer("*".join(self.inputs))


def options(screen: str) -> dict[str, str]:
    """{"1": "Find a service", ...} of a CON screen."""
    found = {}
    for line in screen.splitlines()[1:]:
        number, _, label = line.partition(". ")
        if number.isdigit() and label:
            found[number] = label
    return found


def choice(screen: str, label_start: str) -> str:
    """The number of the option whose label starts with `label_start`."""
    for number, label in options(screen).items():
        if label.startswith(label_start):
            return number
    raise AssertionError(f"no option {label_start!r} in {screen!r}")
