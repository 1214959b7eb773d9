"""Reading a raw request body with a ceiling, for endpoints that must see the exact bytes.

Signed webhooks verify the signature over the raw body before parsing it, so they read it
themselves; this stops at the limit instead of buffering whatever a stranger sends.
"""

from __future__ import annotations

from fastapi import Request

from pasar.platform.errors import PayloadTooLarge


async def read_body(request: Request, *, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The body is over {limit} bytes; send smaller batches.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body is over {limit} bytes; send smaller batches.")
        chunks.append(chunk)
    return b"".join(chunks)
