"""A buyer's address book over HTTP: keep, change, delete addresses, one default, a limit,
the same checks as checkout's address, and nobody else's addresses."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from pasar.checkout import MAX_ADDRESSES
from tests.support import Actors

URL = "/api/v1/me/addresses"
HOME = {
    "label": "Home",
    "name": "Siti Rahma",
    "phone": "+62 812-3456-7890",
    "line1": "Jl. Kemang Raya 5",
    "city": "Jakarta",
    "region": "DKI Jakarta",
    "postal_code": "12730",
    "country": "id",
}
OFFICE = {
    **HOME,
    "label": "Office",
    "line1": "Jl. Sudirman 1",
    "line2": "Lantai 12",
    "postal_code": "10220",
}


async def _add(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post(URL, json=body, headers=headers)
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


async def _listed(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get(URL, headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{code}", body
    return body


async def test_a_buyer_keeps_changes_and_deletes_addresses(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """The first address is the default; fields are checked and tidied as at checkout."""
    buyer = await actors.buyer()
    assert await _listed(client, buyer.headers) == []
    home = await _add(client, buyer.headers, HOME)
    assert home["is_default"] is True
    assert home["phone"] == "+6281234567890"
    assert home["country"] == "ID"
    assert home["line2"] is None
    office = await _add(client, buyer.headers, OFFICE)
    assert office["is_default"] is False
    assert [a["label"] for a in await _listed(client, buyer.headers)] == ["Home", "Office"]

    changed = await client.patch(
        f"{URL}/{office['id']}",
        json={"city": "  Jakarta Pusat ", "line2": None},
        headers=buyer.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["city"] == "Jakarta Pusat"
    assert changed.json()["line2"] is None
    assert changed.json()["line1"] == OFFICE["line1"]  # what was not sent stays
    read = await client.get(f"{URL}/{office['id']}", headers=buyer.headers)
    assert read.json()["city"] == "Jakarta Pusat"

    gone = await client.delete(f"{URL}/{office['id']}", headers=buyer.headers)
    assert gone.status_code == 204
    assert [a["id"] for a in await _listed(client, buyer.headers)] == [home["id"]]
    _problem(
        await client.get(f"{URL}/{office['id']}", headers=buyer.headers), 404, "address-not-found"
    )


async def test_one_default_at_a_time(client: httpx.AsyncClient, actors: Actors) -> None:
    """Making one the default unsets the other; deleting the default hands it on; the
    default cannot simply be unset."""
    buyer = await actors.buyer()
    home = await _add(client, buyer.headers, HOME)
    office = await _add(client, buyer.headers, {**OFFICE, "is_default": True})
    assert office["is_default"] is True
    listed = await _listed(client, buyer.headers)
    assert [(a["id"], a["is_default"]) for a in listed] == [
        (office["id"], True),
        (home["id"], False),
    ]

    made = await client.post(f"{URL}/{home['id']}/default", headers=buyer.headers)
    assert made.status_code == 200, made.text
    assert made.json()["is_default"] is True
    listed = await _listed(client, buyer.headers)
    assert [(a["id"], a["is_default"]) for a in listed] == [
        (home["id"], True),
        (office["id"], False),
    ]

    patched = await client.patch(
        f"{URL}/{office['id']}", json={"is_default": True}, headers=buyer.headers
    )
    assert patched.json()["is_default"] is True
    refused = await client.patch(
        f"{URL}/{office['id']}", json={"is_default": False}, headers=buyer.headers
    )
    assert _problem(refused, 422, "default-address-needed")["field"] == "is_default"
    harmless = await client.patch(
        f"{URL}/{home['id']}", json={"is_default": False}, headers=buyer.headers
    )
    assert harmless.status_code == 200
    assert harmless.json()["is_default"] is False

    third = await _add(client, buyer.headers, {**HOME, "label": "Mum", "line1": "Jl. Melati 3"})
    await client.delete(f"{URL}/{office['id']}", headers=buyer.headers)
    listed = await _listed(client, buyer.headers)
    assert [(a["id"], a["is_default"]) for a in listed] == [
        (third["id"], True),
        (home["id"], False),
    ]


async def test_addresses_are_checked_like_checkouts(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Bad phone, country, blank or control characters, null for a needed field: 422."""
    buyer = await actors.buyer()
    cases = [
        ({**HOME, "phone": "12"}, "phone"),
        ({**HOME, "country": "XX"}, "country"),
        ({**HOME, "name": "   "}, "name"),
        ({**HOME, "line1": "Jl.\x00Kemang"}, "line1"),
        ({**HOME, "label": "x" * 51}, "label"),
        ({k: v for k, v in HOME.items() if k != "city"}, "city"),
    ]
    for body, field in cases:
        refused = await client.post(URL, json=body, headers=buyer.headers)
        problem = _problem(refused, 422, "validation-failed")
        assert field in str(problem), (field, problem)
    assert await _listed(client, buyer.headers) == []

    home = await _add(client, buyer.headers, HOME)
    nulled = await client.patch(f"{URL}/{home['id']}", json={"name": None}, headers=buyer.headers)
    assert "name" in str(_problem(nulled, 422, "validation-failed"))
    bad = await client.patch(
        f"{URL}/{home['id']}", json={"phone": "call me"}, headers=buyer.headers
    )
    _problem(bad, 422, "validation-failed")
    assert (await _listed(client, buyer.headers))[0]["name"] == HOME["name"]


async def test_a_buyer_keeps_at_most_the_limit(client: httpx.AsyncClient, actors: Actors) -> None:
    """Beyond the limit a new address is 409 address-book-full; deleting one makes room."""
    buyer = await actors.buyer()
    made = [
        await _add(client, buyer.headers, {**HOME, "line1": f"Jl. Kemang {n}"})
        for n in range(MAX_ADDRESSES)
    ]
    full = await client.post(URL, json=OFFICE, headers=buyer.headers)
    assert _problem(full, 409, "address-book-full")["limit"] == MAX_ADDRESSES
    await client.delete(f"{URL}/{made[-1]['id']}", headers=buyer.headers)
    await _add(client, buyer.headers, OFFICE)


async def test_racing_first_addresses_leave_one_default(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Two first addresses at once: both are kept, exactly one is the default."""
    buyer = await actors.buyer()
    answers = await asyncio.gather(
        client.post(URL, json=HOME, headers=buyer.headers),
        client.post(URL, json=OFFICE, headers=buyer.headers),
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    listed = await _listed(client, buyer.headers)
    assert len(listed) == 2
    assert sum(a["is_default"] for a in listed) == 1


async def test_the_same_idempotency_key_saves_once(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    buyer = await actors.buyer()
    headers = {**buyer.headers, "Idempotency-Key": "address-1"}
    first = await _add(client, headers, HOME)
    again = await client.post(URL, json=HOME, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert len(await _listed(client, buyer.headers)) == 1


async def test_nobody_reaches_another_buyers_addresses(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Another buyer's address is 404 for every operation, and stays as it was."""
    owner = await actors.buyer()
    mine = await _add(client, owner.headers, HOME)
    other = await actors.buyer()
    path = f"{URL}/{mine['id']}"
    for method, url, body in (
        ("GET", path, None),
        ("PATCH", path, {"city": "Bandung"}),
        ("POST", f"{path}/default", None),
        ("DELETE", path, None),
    ):
        answer = await client.request(method, url, json=body, headers=other.headers)
        _problem(answer, 404, "address-not-found")
    assert await _listed(client, other.headers) == []
    assert (await _listed(client, owner.headers)) == [mine]


async def test_strangers_and_non_buyers_are_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """No credentials: 401; seller staff and operators have no address book: 403."""
    _problem(await client.get(URL), 401, "not-authenticated")
    _problem(await client.post(URL, json=HOME), 401, "not-authenticated")
    _problem(await client.delete(f"{URL}/1"), 401, "not-authenticated")
    owner = await actors.seller("Toko Kopi")
    _problem(await client.get(URL, headers=owner.headers), 403, "permission-denied")
    operator = await actors.operator()
    _problem(await client.post(URL, json=HOME, headers=operator.headers), 403, "permission-denied")


async def test_the_api_documents_the_address_book(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    item = spec["paths"]["/api/v1/me/addresses/{address_id}"]
    assert set(item) >= {"get", "patch", "delete"}
    assert item["patch"]["summary"] == "Change a saved address"
    assert spec["paths"]["/api/v1/me/addresses"]["post"]["security"]
