"""identity: sign-up, login, tokens, staff and seller API keys."""

from __future__ import annotations

import httpx

from tests.support import Actors


async def _register_and_login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    created = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "s3cret-pass"}
    )
    assert created.status_code == 201, created.text
    token = await client.post(
        "/api/v1/auth/token", json={"email": email, "password": "s3cret-pass"}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def test_buyer_registers_logs_in_and_sees_itself(client: httpx.AsyncClient) -> None:
    """A new buyer gets a token that identifies them; the password is never echoed."""
    headers = await _register_and_login(client, "Ana@Example.com")
    me = (await client.get("/api/v1/auth/me", headers=headers)).json()
    assert me["role"] == "buyer"
    assert me["user"]["email"] == "ana@example.com"
    assert "password" not in str(me)


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    """Emails are unique, case-insensitively."""
    await _register_and_login(client, "dup@example.com")
    again = await client.post(
        "/api/v1/auth/register", json={"email": "DUP@example.com", "password": "another-pass"}
    )
    assert again.status_code == 409
    assert again.json()["type"] == "/problems/email-taken"
    assert again.json()["field"] == "email"


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient) -> None:
    """Login failures do not reveal which emails exist."""
    await _register_and_login(client, "known@example.com")
    wrong = await client.post(
        "/api/v1/auth/token", json={"email": "known@example.com", "password": "nope-nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", json={"email": "ghost@example.com", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_login_attempts_are_rate_limited(client: httpx.AsyncClient) -> None:
    """Past the limit, login answers 429 with Retry-After, even with the right password."""
    await _register_and_login(client, "brute@example.com")  # 1 attempt used
    for _ in range(4):
        await client.post(
            "/api/v1/auth/token", json={"email": "brute@example.com", "password": "guess-guess"}
        )
    blocked = await client.post(
        "/api/v1/auth/token", json={"email": "brute@example.com", "password": "s3cret-pass"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert blocked.json()["type"] == "/problems/rate-limited"


async def test_logout_revokes_the_token(client: httpx.AsyncClient) -> None:
    """A revoked token stops working at once."""
    headers = await _register_and_login(client, "bye@example.com")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    after = await client.get("/api/v1/auth/me", headers=headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"


async def test_garbage_tokens_are_rejected(client: httpx.AsyncClient) -> None:
    """Unknown credentials are 401 problem+json, never 5xx."""
    for value in ("Bearer pat_nope", "Bearer psk_nope", "Bearer x", "Basic abc"):
        response = await client.get("/api/v1/auth/me", headers={"Authorization": value})
        assert response.status_code in (401, 403), value
        assert response.headers["content-type"] == "application/problem+json"


async def test_only_operators_create_staff_accounts(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Buyers cannot mint operators; operators can create support agents."""
    buyer = await actors.buyer()
    operator = await actors.operator()
    body = {"email": "agent@example.com", "password": "support-pass", "role": "support"}
    assert (await client.post("/api/v1/users", json=body, headers=buyer.headers)).status_code == 403
    created = await client.post("/api/v1/users", json=body, headers=operator.headers)
    assert created.status_code == 201
    assert created.json()["role"] == "support"


async def test_seller_api_key_is_shown_once_and_scoped(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """An owner creates a key; the key acts for its seller only and dies when revoked."""
    owner = await actors.seller_staff(seller_id=7)
    created = await client.post(
        "/api/v1/sellers/7/api-keys", json={"name": "erp"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("psk_")
    listed = (await client.get("/api/v1/sellers/7/api-keys", headers=owner.headers)).json()
    assert "key" not in listed[0]
    key_headers = {"Authorization": f"Bearer {key}"}
    me = (await client.get("/api/v1/auth/me", headers=key_headers)).json()
    assert me["seller_id"] == 7
    assert me["api_key_id"] == created.json()["id"]
    revoked = await client.delete(
        f"/api/v1/sellers/7/api-keys/{created.json()['id']}", headers=owner.headers
    )
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=key_headers)).status_code == 401


async def test_staff_cannot_manage_keys_but_owner_can_add_staff(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    """Plain staff read their seller; only owners add staff or keys."""
    owner = await actors.seller_staff(seller_id=3)
    staff = await actors.seller_staff(seller_id=3, is_owner=False)
    denied = await client.post(
        "/api/v1/sellers/3/api-keys", json={"name": "x"}, headers=staff.headers
    )
    assert denied.status_code == 403
    added = await client.post(
        "/api/v1/sellers/3/staff",
        json={"email": "packer@example.com", "password": "packer-pass"},
        headers=owner.headers,
    )
    assert added.status_code == 201
    team = (await client.get("/api/v1/sellers/3/staff", headers=staff.headers)).json()
    assert {m["email"] for m in team} >= {"packer@example.com", staff.email}


async def test_last_owner_cannot_be_removed(client: httpx.AsyncClient, actors: Actors) -> None:
    """A seller never ends up with nobody able to manage it."""
    owner = await actors.seller_staff(seller_id=4)
    response = await client.delete(
        f"/api/v1/sellers/4/staff/{owner.user_id}", headers=owner.headers
    )
    assert response.status_code == 403
