"""Time-based one-time codes (RFC 6238), as authenticator apps make them: 6 digits, 30 seconds, HMAC-SHA1.

The codes come from pyotp; what this module adds is the service's rule that a code works once: the
person's last used time step is kept, and a code from that step or an earlier one is refused.
"""

import time

import pyotp
from pyotp.utils import strings_equal

STEP = 30
DIGITS = 6


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP)


def new_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def code_at(secret: str, step: int) -> str:
    return _totp(secret).at(step * STEP)


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
        if (after is None or candidate > after) and strings_equal(code_at(secret, candidate), code):
            return candidate
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
