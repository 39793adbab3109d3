"""Logging helpers: the secret of a payment callback URL is cut out of every log line."""

import logging
import re

_CALLBACK_SECRET = re.compile(r"(/api/payments/(?:mpesa/callback|c2b)/)[^/?\s\"']+")
# A provider that cannot send a header carries the shared secret in the callback URL's query
# (the contact centre's Africa's Talking Voice callback, inbound SMS): cut out of access logs.
_QUERY_TOKEN = re.compile(r"([?&]token=)[^&\s\"']+")


def redact(text: str) -> str:
    return _QUERY_TOKEN.sub(r"\1[secret]", _CALLBACK_SECRET.sub(r"\1[secret]", text))


class CallbackSecretFilter(logging.Filter):
    """Django logs a refused request's path ("Unprocessable Entity: /api/payments/mpesa/
    callback/<secret>"); whoever reads the logs must not be able to post a callback with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
