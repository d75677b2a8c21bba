"""What the fidelity behaviours share (moto_fidelity.py): AWS's limits and messages, TOTP (RFC 6238), the
local hardware token inventory, per-device state, the checks several calls make, and MaxItems/Marker paging.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import threading
import time
from typing import Any

STEP_SECONDS = 30
DIGITS = 6
MAX_DEVICES_PER_USER = 8
# EnableMFADevice: code 1 at step k and code 2 at k+1, for k in [now - ENABLE_PAST_STEPS, now].
ENABLE_PAST_STEPS = 3
# ResyncMFADevice: both codes within this many steps of now (20 steps = 10 minutes).
RESYNC_WINDOW_STEPS = 20
# GetSessionToken: the code may be this many steps off the device's expected step.
SESSION_WINDOW_STEPS = 1
HARDWARE_TOKENS_ENV = "MFA_LOCAL_HARDWARE_TOKENS"
CONSOLE_HEADER = "X-Local-Console"
CONSOLE_REGISTER = "register"
# With the console header only: the certifications (JSON object) AWS would read from the FIDO metadata service.
CERTIFICATIONS_HEADER = "X-Local-Certifications"

MSG_INVALID_CODE = "Authentication code for device is not valid."
MSG_STS_SERIAL = (
    "MultiFactorAuthentication failed, unable to validate MFA code. "
    "Please verify your MFA serial number is valid and associated with this user."
)
MSG_STS_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
MSG_STS_SESSION = "Cannot call GetSessionToken with session credentials"
MSG_FIDO_CONSOLE = "FIDO security keys can only be registered in the AWS console"


# --- TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) ------------------------------------------------------------


def decode_base32(secret: str) -> bytes:
    clean = re.sub(r"[\s=-]", "", secret).upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def totp(secret_base32: str, step: int) -> str:
    mac = hmac.new(decode_base32(secret_base32), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % (10**DIGITS)
    return str(value).zfill(DIGITS)


def current_step() -> int:
    return int(time.time() // STEP_SECONDS)


def codes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def find_consecutive(secret: str, code1: str, code2: str, first: int, last: int) -> int | None:
    """The step k in [first, last] at which code1 is valid and code2 is valid at k+1."""
    for k in range(first, last + 1):
        if codes_equal(totp(secret, k), code1) and codes_equal(totp(secret, k + 1), code2):
            return k
    return None


# --- State shared by the behaviours ------------------------------------------------------------------------------

# One lock for every patched call that reads and then changes IAM state (moto's server is threaded).
state_lock = threading.RLock()

# Per enabled device (moto's MFADevice objects; they vanish on deactivation and on /moto-api/reset):
OFFSET = "_fidelity_step_offset"  # the device's clock, in steps, relative to ours
LAST_USED = "_fidelity_last_used_step"  # the newest step accepted by GetSessionToken (replay protection)
CERTIFICATIONS = "_fidelity_certifications"  # FIDO only: what GetMFADevice reports (set at console registration)


class HardwareTokens:
    """The local hardware token stock: [{serial, secretBase32, ...}], re-read whenever the file changes."""

    def __init__(self) -> None:
        self.signature: tuple[str, int, int] | None = None
        self.secrets: dict[str, str] = {}
        # serial -> (account id, user object) of its last enablement, checked lazily (see hardware_in_use_elsewhere).
        self.assigned: dict[str, tuple[str, Any]] = {}

    def secret(self, serial: str) -> str | None:
        path = os.environ.get(HARDWARE_TOKENS_ENV, "")
        try:
            st = os.stat(path) if path else None
        except OSError:
            st = None
        signature = (path, st.st_mtime_ns, st.st_size) if st else None
        if signature != self.signature:
            secrets: dict[str, str] = {}
            if st is not None:
                try:
                    with open(path, encoding="utf-8") as f:
                        for token in json.load(f):
                            secrets[str(token["serial"])] = str(token["secretBase32"])
                except (OSError, ValueError, KeyError, TypeError) as error:
                    print(f"moto_fidelity: cannot read {path}: {error}", file=sys.stderr)
                    return self.secrets.get(serial)
            self.secrets, self.signature = secrets, signature
        return self.secrets.get(serial)


hardware_tokens = HardwareTokens()


# --- Helpers of several behaviours --------------------------------------------------------------------------------


@functools.cache
def _invalid_authentication_code() -> type:
    from moto.iam.exceptions import IAMException

    class InvalidAuthenticationCode(IAMException):
        code = "InvalidAuthenticationCode"

    return InvalidAuthenticationCode


def invalid_code() -> Exception:
    exception: Exception = _invalid_authentication_code()(MSG_INVALID_CODE)
    return exception


def device_kind(serial: str) -> str:
    if re.match(r"^arn:aws[\w-]*:iam::\d{12}:mfa/", serial):
        return "virtual"
    if re.match(r"^arn:aws[\w-]*:iam::\d{12}:u2f/", serial):
        return "fido"
    if serial.startswith("arn:"):
        return "other"
    return "hardware"


def check_code_format(value: Any, field: str) -> str:
    from moto.iam.exceptions import ValidationError

    if not isinstance(value, str) or not re.fullmatch(r"\d{6}", value):
        shown = "null" if value is None else str(value)
        raise ValidationError(
            f"1 validation error detected: Value '{shown}' at '{field}' failed to satisfy constraint: "
            "Member must have length less than or equal to 6, greater than or equal to 6 "
            "and satisfy regular expression pattern: [\\d]+"
        )
    return value


def no_such_device(serial: str) -> Exception:
    from moto.iam.exceptions import NoSuchEntity

    return NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")


def secret_of(backend: Any, serial: str) -> str:
    """The TOTP secret of a virtual device (the seed moto holds) or a hardware token (the local inventory)."""
    kind = device_kind(serial)
    if kind == "virtual":
        device = backend.virtual_mfa_devices.get(serial)
        if device is None:
            raise no_such_device(serial)
        return str(device.base32_string_seed)
    if kind == "hardware":
        secret = hardware_tokens.secret(serial)
        if secret is None:
            raise no_such_device(serial)
        return secret
    raise no_such_device(serial)


def caller_user_name(response: Any) -> str:
    """AWS falls back to the user who signs the request; role sessions must name the user."""
    from moto.iam.exceptions import ValidationError

    key = response.backend.access_keys.get(response.get_access_key())
    if key is None or not key.user_name:
        raise ValidationError("Must specify userName when calling with non-User credentials")
    return str(key.user_name)


def code_pair_params(response: Any) -> tuple[str, str, str, str]:
    """UserName, SerialNumber and the two checked codes of EnableMFADevice / ResyncMFADevice."""
    return (
        response._get_param("UserName"),
        response._get_param("SerialNumber") or "",
        check_code_format(response._get_param("AuthenticationCode1"), "authenticationCode1"),
        check_code_format(response._get_param("AuthenticationCode2"), "authenticationCode2"),
    )


# Paging, shared by the listing behaviours: MaxItems (1-1000, default 100) and an opaque Marker.


def _page_size(response: Any) -> int:
    from moto.iam.exceptions import ValidationError

    max_items = response._get_param("MaxItems")
    if max_items is None:
        return 100
    n = int(max_items)
    if n < 1 or n > 1000:
        bound = "greater than or equal to 1" if n < 1 else "less than or equal to 1000"
        raise ValidationError(
            f"1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value {bound}"
        )
    return n


def _encode_marker(index: int) -> str:
    return base64.b64encode(f"mfa-portal-local:{index}".encode()).decode()


def _decode_marker(marker: str | None) -> int:
    from moto.iam.exceptions import ValidationError

    if not marker:
        return 0
    try:
        prefix, _, index = base64.b64decode(marker, validate=True).decode().partition(":")
        if prefix == "mfa-portal-local" and index.isdigit():
            return int(index)
    except (ValueError, UnicodeDecodeError):
        pass
    raise ValidationError("Invalid Marker.")


def paged(response: Any, items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The page the request's MaxItems and Marker ask for, and IsTruncated (+ Marker of the next page)."""
    from moto.iam.exceptions import ValidationError

    size = _page_size(response)
    start = _decode_marker(response._get_param("Marker"))
    if start > len(items):
        raise ValidationError("Invalid Marker.")
    end = start + size
    if end < len(items):
        return items[start:end], {"IsTruncated": True, "Marker": _encode_marker(end)}
    return items[start:end], {"IsTruncated": False}


def virtual_devices_page(response: Any) -> tuple[list[Any], dict[str, Any]]:
    """ListVirtualMFADevices' page: the account's devices filtered by AssignmentStatus (Any by default), then paged."""
    status = response._get_param("AssignmentStatus") or "Any"
    devices = list(response.backend.virtual_mfa_devices.values())
    if status == "Assigned":
        devices = [d for d in devices if d.user is not None]
    elif status == "Unassigned":
        devices = [d for d in devices if d.user is None]
    return paged(response, devices)
