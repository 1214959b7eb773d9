"""Walk the order journey through a running Pasar's API and print it as a transcript.

    python scripts/api_journey.py [BASE_URL] [--method card|bank_transfer|cod]

Needs the demo data (`make run`): it finds in-stock offers from three sellers, checks out
as a guest, pays, then moves every SellerOrder to completed (the operator acts for the
sellers here; a seller's own token or API key works the same).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import Any

import httpx

OPERATOR = {"email": "operator@pasar.example.com", "password": "pasar-demo-2026"}
GUEST = {
    "email": "siti@example.com",
    "phone": "+6281234567890",
    "name": "Siti Rahayu",
    "line1": "Jl. Sudirman 1",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "10210",
    "country": "ID",
}


class Transcript:
    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=30)

    def call(self, method: str, url: str, *, show: bool = True, **kwargs: Any) -> Any:
        response = self.http.request(method, url, **kwargs)
        if show:
            body = kwargs.get("json")
            shown = f" {json.dumps(body)}" if body else ""
            query = kwargs.get("params")
            target = f"{url}?{httpx.QueryParams(query)}" if query else url
            print(f"$ {method} {target}{shown}")
            print(f"  -> {response.status_code} {summary(response)}")
        if response.status_code >= 400 and show:
            return response.json()
        response.raise_for_status()
        return response.json()


def summary(response: httpx.Response) -> str:
    data = response.json()
    if not isinstance(data, dict):
        return json.dumps(data)[:160]
    keys = ("type", "detail", "number", "status", "ready", "grand_total", "total_amount", "result")
    picked = {k: data[k] for k in keys if k in data}
    if "payment" in data and isinstance(data["payment"], dict):
        p = data["payment"]
        picked["payment"] = {k: p.get(k) for k in ("method", "status", "captured") if k in p}
    if "items" in data:
        picked["items"] = len(data["items"])
    if "groups" in data:
        picked["groups"] = [
            {
                "seller": g["seller"]["name"],
                "options": [(o["service"], o["price"], o["promised_date"]) for o in g["options"]],
            }
            for g in data["groups"]
        ]
    return json.dumps(picked)[:400]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--method", default="card", choices=["card", "bank_transfer", "cod"])
    args = parser.parse_args()
    t = Transcript(args.base)
    token = t.call("POST", "/api/v1/auth/token", json=OPERATOR, show=False)["access_token"]
    op = {"Authorization": f"Bearer {token}"}

    print("# 1. Find in-stock offers from three sellers")
    found = t.call("GET", "/api/v1/products?in_stock=true&limit=50", show=True)
    picks: dict[int, int] = {}
    for product in found["items"]:
        offers = t.call("GET", f"/api/v1/products/{product['id']}/offers", show=False)
        for offer in offers["items"]:
            seller_id = offer["seller"]["id"]
            if not offer["in_stock"] or seller_id in picks:
                continue
            seller = t.call("GET", f"/api/v1/sellers/{seller_id}", show=False)
            if seller.get("country") == GUEST["country"]:  # international is not offered yet
                picks[seller_id] = offer["id"]
                break
        if len(picks) == 3:
            break
    print(f"  picked offers {list(picks.values())} from sellers {list(picks)} (all ship to ID)")

    print("\n# 2. Guest cart, address, delivery choice")
    cart = t.call("POST", "/api/v1/carts")["token"]
    for offer_id in picks.values():
        t.call("POST", f"/api/v1/carts/{cart}/lines", json={"offer_id": offer_id, "quantity": 1})
    priced = t.call("PUT", f"/api/v1/carts/{cart}/address", json=GUEST)
    choices = [{"seller_id": g["seller"]["id"], "service": "standard"} for g in priced["groups"]]
    priced = t.call("PUT", f"/api/v1/carts/{cart}/delivery", json={"choices": choices})

    print("\n# 3. Place the order (Idempotency-Key), twice: the retry returns the same order")
    payment: dict[str, Any] = {"method": args.method}
    if args.method == "card":
        payment["card"] = {
            "number": "4242424242424242",
            "exp_month": 12,
            "exp_year": 2030,
            "cvc": "123",
        }
    body = {"payment": payment, "expected_total": priced["grand_total"]}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    placed = t.call("POST", f"/api/v1/carts/{cart}/order", json=body, headers=key)
    again = t.call("POST", f"/api/v1/carts/{cart}/order", json=body, headers=key)
    assert again["number"] == placed["number"]
    number, access = placed["number"], {"access": placed["access_token"]}
    if args.method == "bank_transfer":
        va = placed["payment"]["instructions"]["virtual_account"]
        t.call(
            "POST",
            "/api/v1/payments/sandbox/bank-transfers",
            json={"virtual_account": va, "amount": placed["total_amount"]},
        )
    order = t.call("GET", f"/api/v1/orders/{number}", params=access)

    print("\n# 4. Each seller processes and ships; delivery is reported; the buyer confirms")
    for n, part in enumerate(order["seller_orders"], start=1):
        base = f"/api/v1/sellers/{part['seller']['id']}/orders/{part['id']}"
        t.call("POST", f"{base}/process", headers=op)
        ship = {"carrier": "JNE", "tracking_number": f"JNE{number[-8:]}{n}"}
        t.call("POST", f"{base}/ship", json=ship, headers=op)
        proof = {"proof": {"left_at": "front door", "recipient_name": "Siti"}}
        t.call("POST", f"/api/v1/admin/seller-orders/{part['id']}/deliver", json=proof, headers=op)
        t.call(
            "POST",
            f"/api/v1/orders/{number}/seller-orders/{part['id']}/confirm-receipt",
            params=access,
        )
    final = t.call("GET", f"/api/v1/orders/{number}", params=access)
    print("\n# 5. Bad input changes nothing")
    t.call("POST", f"/api/v1/carts/{cart}/order", json=body)
    t.call("POST", "/api/v1/carts", json=None, headers={"Authorization": "Bearer nope"})
    sys.exit(0 if final["status"] == "completed" else 1)


if __name__ == "__main__":
    main()
