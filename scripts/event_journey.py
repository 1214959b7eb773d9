"""Place and ship an order on a running Pasar and show what it told people: the buyer's
emails (from the mail log) and the signed webhook calls a receiver got.

    python scripts/event_journey.py [BASE_URL]

Needs the demo data (`make run`) and a worker (the one embedded in `pasar serve` will do).
It starts a webhook receiver on 127.0.0.1, registers it as a marketplace-wide endpoint
(operator), checks out as a guest from two sellers by card, ships every parcel (label,
hand-over), reports delivery, then waits until the mail log and the receiver show the
journey. Exit status 0 only if every expected email and webhook arrived exactly once per
delivery id and every signature verified.
"""

from __future__ import annotations

import argparse
import http.server
import json
import sys
import threading
import time
import uuid
from collections import Counter
from typing import Any

import httpx

from pasar.platform.signing import HEADER, BadSignature, verify

OPERATOR = {"email": "operator@pasar.example.com", "password": "pasar-demo-2026"}
EVENT_TYPES = [
    "order.placed",
    "seller_order.shipped",
    "seller_order.delivered",
    "shipment.handed_over",
]
BOX = {"weight_grams": 900, "length_mm": 250, "width_mm": 180, "height_mm": 120}


class Receiver(http.server.ThreadingHTTPServer):
    """Records every POST; checks its signature with the endpoint's secret once known."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret: bytes | None = None
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        verified = False
        if self.server.secret is not None:
            try:
                verify(self.server.secret, body, self.headers.get(HEADER))
                verified = True
            except BadSignature:
                verified = False
        with self.server.lock:
            self.server.calls.append(
                {
                    "delivery": self.headers.get("Pasar-Delivery-Id"),
                    "type": self.headers.get("Pasar-Event-Type"),
                    "verified": verified,
                    "body": json.loads(body or b"{}"),
                }
            )
        self.send_response(204 if verified else 401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--wait", type=float, default=90.0, help="Seconds to wait for it all.")
    args = parser.parse_args()
    http = httpx.Client(base_url=args.base, timeout=30)
    token = http.post("/api/v1/auth/token", json=OPERATOR).raise_for_status().json()
    op = {"Authorization": f"Bearer {token['access_token']}"}

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = (
        http.post(
            "/api/v1/admin/webhook-endpoints",
            json={"url": receiver.url, "event_types": EVENT_TYPES, "description": "event journey"},
            headers=op,
        )
        .raise_for_status()
        .json()
    )
    receiver.secret = _key(endpoint["secret"])
    print(f"webhook endpoint {endpoint['id']} -> {receiver.url}")

    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    number, parts = _buy(http, email)
    print(f"order {number} placed by {email}: {len(parts)} seller orders")
    for part in parts:
        _ship(http, op, part)
    print("every parcel labelled, handed over and delivered")

    expected_mail = Counter(
        {"order_confirmation": 1, "shipped": len(parts), "delivered": len(parts)}
    )
    deadline = time.monotonic() + args.wait
    mail: Counter[str] = Counter()
    hooks: Counter[str] = Counter()
    while time.monotonic() < deadline:
        mail = Counter(n["template"] for n in _mail_log(http, op, email))
        with receiver.lock:
            mine = [c for c in receiver.calls if _about(c, number, parts)]
        hooks = Counter(c["type"] for c in {c["delivery"]: c for c in mine}.values())
        if all(mail[t] >= n for t, n in expected_mail.items()) and all(
            hooks[t] >= 1 for t in EVENT_TYPES
        ):
            break
        time.sleep(1)
    print("\nemails in the mail log:", dict(mail))
    print("webhook calls (distinct deliveries):", dict(hooks))
    with receiver.lock:
        unsigned = [c for c in receiver.calls if not c["verified"]]
        raw = Counter(c["delivery"] for c in receiver.calls)
    repeats = {d: n for d, n in raw.items() if n > 1}
    print(f"signatures verified: {len(receiver.calls) - len(unsigned)}/{len(receiver.calls)}")
    print(f"deliveries received more than once: {repeats or 'none'}")
    ok = (
        all(mail[t] == n for t, n in expected_mail.items())
        and all(hooks[t] >= 1 for t in EVENT_TYPES)
        and not unsigned
    )
    http.delete(f"/api/v1/admin/webhook-endpoints/{endpoint['id']}", headers=op)
    receiver.shutdown()
    print("OK" if ok else "INCOMPLETE")
    return 0 if ok else 1


def _key(secret: str) -> bytes:
    return secret.encode()


def _about(call: dict[str, Any], number: str, parts: list[dict[str, Any]]) -> bool:
    data = call["body"].get("data", {})
    ids = {p["id"] for p in parts}
    return data.get("number", "").startswith(number) or data.get("seller_order_id") in ids


def _buy(http: httpx.Client, email: str) -> tuple[str, list[dict[str, Any]]]:
    found = http.get("/api/v1/products", params={"in_stock": "true", "limit": 50}).json()
    picks: dict[int, int] = {}
    for product in found["items"]:
        for offer in http.get(f"/api/v1/products/{product['id']}/offers").json()["items"]:
            seller = offer["seller"]["id"]
            if offer["in_stock"] and seller not in picks:
                country = http.get(f"/api/v1/sellers/{seller}").json().get("country")
                if country == "ID":
                    picks[seller] = offer["id"]
                    break
        if len(picks) == 2:
            break
    cart = http.post("/api/v1/carts").raise_for_status().json()["token"]
    for offer_id in picks.values():
        http.post(f"/api/v1/carts/{cart}/lines", json={"offer_id": offer_id, "quantity": 1})
    address = {
        "email": email,
        "phone": "+6281234567890",
        "name": "Siti Rahayu",
        "line1": "Jl. Sudirman 1",
        "city": "Jakarta",
        "region": "DKI Jakarta",
        "postal_code": "10210",
        "country": "ID",
    }
    priced = http.put(f"/api/v1/carts/{cart}/address", json=address).raise_for_status().json()
    choices = [{"seller_id": g["seller"]["id"], "service": "standard"} for g in priced["groups"]]
    priced = http.put(f"/api/v1/carts/{cart}/delivery", json={"choices": choices}).json()
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    placed = (
        http.post(
            f"/api/v1/carts/{cart}/order",
            json={
                "payment": {"method": "card", "card": card},
                "expected_total": priced["grand_total"],
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        .raise_for_status()
        .json()
    )
    order = http.get(
        f"/api/v1/orders/{placed['number']}", params={"access": placed["access_token"]}
    ).json()
    return placed["number"], order["seller_orders"]


def _ship(http: httpx.Client, op: dict[str, str], part: dict[str, Any]) -> None:
    seller = part["seller"]["id"]
    shipment = (
        http.post(
            f"/api/v1/sellers/{seller}/orders/{part['id']}/shipments",
            json={"packages": [BOX]},
            headers=op,
        )
        .raise_for_status()
        .json()
    )
    http.post(
        f"/api/v1/sellers/{seller}/shipments/hand-over",
        json={"shipment_ids": [shipment["id"]]},
        headers=op,
    ).raise_for_status()
    proof = {"proof": {"left_at": "front door", "recipient_name": "Siti"}}
    http.post(
        f"/api/v1/admin/seller-orders/{part['id']}/deliver", json=proof, headers=op
    ).raise_for_status()


def _mail_log(http: httpx.Client, op: dict[str, str], email: str) -> list[dict[str, Any]]:
    answer = http.get(
        "/api/v1/admin/notifications",
        params={"recipient": email, "channel": "email", "limit": 100},
        headers=op,
    )
    answer.raise_for_status()
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


if __name__ == "__main__":
    sys.exit(main())
