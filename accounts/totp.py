"""Time-based one-time codes (RFC 6238), as authenticator apps make them: 6 digits, 30 seconds,
HMAC-SHA1. Written here rather than added as a package because it is twenty lines."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, step: int) -> str:
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def clock() -> float:
    return time.time()


def current_step(now: float | None = None) -> int:
    return int((now if now is not None else clock()) // STEP)


def matching_step(secret: str, code: str, *, now: float | None = None, after: int | None = None) -> int | None:
    """The time step the code belongs to (allowing one step of clock drift either way), or None.
    A step at or before `after` (the last one used) is refused, so a code works once."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == DIGITS):
        return None
    step = current_step(now)
    for candidate in (step, step - 1, step + 1):
        if (after is None or candidate > after) and hmac.compare_digest(code_at(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}"


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
