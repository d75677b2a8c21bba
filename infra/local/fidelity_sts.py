"""STS as AWS answers it (moto_fidelity.py): GetSessionToken with MFA, and without any IAM permission.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from fidelity_common import (
    LAST_USED,
    MSG_STS_CODE,
    MSG_STS_SERIAL,
    MSG_STS_SESSION,
    OFFSET,
    SESSION_WINDOW_STEPS,
    codes_equal,
    current_step,
    device_kind,
    secret_of,
    state_lock,
    totp,
)


def session_token_checks_mfa() -> None:
    """
    GetSessionToken with SerialNumber + TokenCode: the serial must be a virtual or hardware device of the calling
    IAM user, and the code valid within SESSION_WINDOW_STEPS of the device's clock and newer than the last code
    accepted (no replay); else AccessDenied 403. Role-session credentials may not call it at all.
    """
    from moto.core.responses import ActionResult
    from moto.iam.exceptions import NoSuchEntity
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse

    # Unmodeled codes (STS AccessDenied) are fine: they are serialized in AWS's format with the status we set.
    warnings.filterwarnings("ignore", message=r"Exception\(.*\) with code .* does not match an error shape")

    def sts_access_denied(response: Any, message: str) -> Any:
        """AWS's STS error XML for an error STS does not model, with AWS's status 403."""
        _, headers, body = response.serialized(ActionResult(STSClientError("AccessDenied", message)))
        headers = dict(headers)
        headers["status"] = 403
        return body, headers

    original_get_session_token = TokenResponse.get_session_token

    def get_session_token(self: Any) -> Any:
        serial = self._get_param("SerialNumber")
        code = self._get_param("TokenCode")
        iam = iam_backends[self.current_account][self.partition]
        key = iam.access_keys.get(self.get_access_key())
        if key is not None and not key.user_name:
            return sts_access_denied(self, MSG_STS_SESSION)
        if serial is None and code is None:
            return original_get_session_token(self)
        if serial is None:
            return sts_access_denied(self, MSG_STS_SERIAL)
        if code is None:
            return sts_access_denied(self, MSG_STS_CODE)
        if not re.fullmatch(r"\d{6}", str(code)):
            raise STSClientError(
                "ValidationError",
                f"1 validation error detected: Value '{code}' at 'tokenCode' failed to satisfy constraint: "
                "Member must have length less than or equal to 6, greater than or equal to 6 "
                "and satisfy regular expression pattern: [\\d]*",
            )
        with state_lock:
            user = iam.users.get(key.user_name) if key is not None else None
            device = user.mfa_devices.get(serial) if user is not None else None
            if device is None or device_kind(serial) not in ("virtual", "hardware"):
                return sts_access_denied(self, MSG_STS_SERIAL)
            try:
                secret = secret_of(iam, serial)
            except NoSuchEntity:
                return sts_access_denied(self, MSG_STS_SERIAL)
            expected = current_step() + getattr(device, OFFSET, 0)
            last_used = getattr(device, LAST_USED, None)
            accepted = None
            for step in range(expected - SESSION_WINDOW_STEPS, expected + SESSION_WINDOW_STEPS + 1):
                if (last_used is None or step > last_used) and codes_equal(totp(secret, step), str(code)):
                    accepted = step
                    break
            if accepted is None:
                return sts_access_denied(self, MSG_STS_CODE)
            setattr(device, LAST_USED, accepted)
        return original_get_session_token(self)

    TokenResponse.get_session_token = get_session_token  # type: ignore[method-assign]


def session_token_needs_no_permission() -> None:
    """AWS needs no IAM permission for GetSessionToken (moto already exempts GetCallerIdentity)."""
    from moto.iam.access_control import IAMRequestBase

    original_check_action_permitted = IAMRequestBase.check_action_permitted

    def check_action_permitted(self: Any, resource: str) -> None:
        if self._action == "sts:GetSessionToken":
            return
        original_check_action_permitted(self, resource)

    IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
