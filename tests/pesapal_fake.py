"""A faithful stand-in for Pesapal API 3.0's test mode (cybqa.pesapal.com/pesapalv3), served
over HTTP on a free local port: RequestToken, RegisterIPN, SubmitOrderRequest and
GetTransactionStatus, with their documented fields and status codes (0 INVALID, 1 COMPLETED,
2 FAILED, 3 REVERSED), and the "error" object with null fields that Pesapal sends on success.
The test plays the payer on the card page (`pay`, `decline`) and Pesapal's IPN call (`ipn`).
Only the outside world is replaced: our own client code speaks HTTP to it."""

import json
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

KEY, SECRET = "test-consumer-key", "test-consumer-secret"
NULL_ERROR = {"error_type": None, "code": None, "message": None, "call_back_url": None}


@dataclass
class Order:
    tracking_id: str
    reference: str
    amount: Decimal
    currency: str
    callback_url: str
    status_code: int = 0
    description: str = ""
    confirmation_code: str = ""
    paid_amount: Decimal | None = None
    log: list = field(default_factory=list)

    def redirect_url(self) -> str:
        return (
            "https://cybqa.pesapal.com/pesapaliframe/PesapalIframe3/Index/"
            f"?OrderTrackingId={self.tracking_id}"
        )


class FakePesapal:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.ipns: dict[str, str] = {}
        self.orders: dict[str, Order] = {}
        self.status_queries = 0
        self.down = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                return header.startswith("Bearer ") and header[7:] in fake.tokens

            def do_POST(self):
                if fake.down:
                    return self._answer({"error": "unavailable"}, 503)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                path = urlparse(self.path).path
                if path == "/api/Auth/RequestToken":
                    return self._answer(fake.request_token(body))
                if not self._authorised():
                    return self._answer({"error": {"code": "unauthorized"}, "status": "401"}, 401)
                if path == "/api/URLSetup/RegisterIPN":
                    return self._answer(fake.register_ipn(body))
                if path == "/api/Transactions/SubmitOrderRequest":
                    return self._answer(fake.submit_order(body))
                return self._answer({"error": "not found"}, 404)

            def do_GET(self):
                if fake.down:
                    return self._answer({"error": "unavailable"}, 503)
                url = urlparse(self.path)
                if url.path != "/api/Transactions/GetTransactionStatus":
                    return self._answer({"error": "not found"}, 404)
                if not self._authorised():
                    return self._answer({"error": {"code": "unauthorized"}, "status": "401"}, 401)
                tracking = parse_qs(url.query).get("orderTrackingId", [""])[0]
                return self._answer(fake.transaction_status(tracking))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the API -----------------------------------------------------------------------------

    def request_token(self, body: dict) -> dict:
        if (body.get("consumer_key"), body.get("consumer_secret")) != (KEY, SECRET):
            return {
                "token": None,
                "error": {
                    "error_type": "api_error",
                    "code": "invalid_consumer_key_or_secret_provided",
                    "message": "Invalid consumer_key or consumer_secret provided",
                },
                "status": "500",
            }
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return {
            "token": token,
            "expiryDate": "2026-12-07T12:29:30.5177702Z",
            "error": None,
            "status": "200",
            "message": "Request processed successfully",
        }

    def register_ipn(self, body: dict) -> dict:
        ipn_id = str(uuid.uuid4())
        self.ipns[ipn_id] = str(body.get("url"))
        return {
            "url": body.get("url"),
            "created_date": "2026-12-07T08:00:00.000Z",
            "ipn_id": ipn_id,
            "error": None,
            "status": "200",
        }

    def submit_order(self, body: dict) -> dict:
        def refused(code, message):
            return {"error": {"error_type": "api_error", "code": code, "message": message},
                    "status": "500"}  # fmt: skip

        reference = str(body.get("id", ""))
        if not re.fullmatch(r"[A-Za-z0-9\-_.:]{1,50}", reference):
            return refused("invalid_reference", "id must be alphanumeric, at most 50")
        if any(o.reference == reference for o in self.orders.values()):
            return refused("duplicate_order_reference", "id must be unique")
        if body.get("notification_id") not in self.ipns:
            return refused("invalid_notification_id", "unknown notification_id")
        billing = body.get("billing_address") or {}
        if not (billing.get("phone_number") or billing.get("email_address")):
            return refused("missing_billing_details", "phone_number or email_address needed")
        if len(str(body.get("description", ""))) > 100:
            return refused("invalid_description", "description longer than 100")
        tracking = str(uuid.uuid4())
        self.orders[tracking] = Order(
            tracking_id=tracking,
            reference=reference,
            amount=Decimal(str(body["amount"])).quantize(Decimal("0.01")),
            currency=str(body.get("currency")),
            callback_url=str(body.get("callback_url")),
        )
        return {
            "order_tracking_id": tracking,
            "merchant_reference": reference,
            "redirect_url": self.orders[tracking].redirect_url(),
            "error": None,
            "status": "200",
        }

    def transaction_status(self, tracking: str) -> dict:
        self.status_queries += 1
        order = self.orders.get(tracking)
        if order is None:
            return {
                "error": {"error_type": "api_error", "code": "invalid_order_tracking_id",
                          "message": "Invalid order tracking id"},
                "status": "500",
            }  # fmt: skip
        names = {0: "INVALID", 1: "Completed", 2: "Failed", 3: "Reversed"}
        paid = order.paid_amount if order.paid_amount is not None else order.amount
        return {
            "payment_method": "Visa" if order.status_code else "",
            "amount": float(paid),
            "created_date": "2026-11-24T09:05:00.000",
            "confirmation_code": order.confirmation_code,
            "payment_status_description": names[order.status_code],
            "description": order.description,
            "message": "Request processed successfully",
            "payment_account": "476173**0010" if order.status_code else "",
            "call_back_url": f"{order.callback_url}?OrderTrackingId={tracking}",
            "status_code": order.status_code,
            "merchant_reference": order.reference,
            "payment_status_code": "",
            "currency": order.currency,
            "error": NULL_ERROR,
            "status": "200",
        }

    # --- the payer and Pesapal's own calls ---------------------------------------------------

    def only_order(self) -> Order:
        (order,) = self.orders.values()
        return order

    def pay(self, tracking: str, *, amount: str | None = None) -> str:
        order = self.orders[tracking]
        order.status_code = 1
        order.description = "Payment completed successfully"
        order.confirmation_code = "".join(secrets.choice("0123456789") for _ in range(22))
        order.paid_amount = Decimal(amount) if amount else None
        return order.confirmation_code

    def decline(self, tracking: str) -> None:
        order = self.orders[tracking]
        order.status_code = 2
        order.description = "Unable to Authorize Transaction.Kindly contact your bank"

    def reverse(self, tracking: str) -> None:
        self.orders[tracking].status_code = 3

    def ipn(self, client, tracking: str) -> dict:
        """Pesapal's IPN call (GET, as registered) to our IPN URL."""
        order = self.orders.get(tracking)
        response = client.get(
            "/api/payments/pesapal/ipn",
            {
                "OrderTrackingId": tracking,
                "OrderMerchantReference": order.reference if order else "X",
                "OrderNotificationType": "IPNCHANGE",
            },
        )
        assert response.status_code == 200, response.content
        return response.json()
