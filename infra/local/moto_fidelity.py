"""moto's server with the IAM/STS behaviours of AWS that moto 5.2 lacks (see AWS-FACTS.md, "What moto does not do").

Run exactly like moto_server (same flags):  .venv/bin/python infra/local/moto_fidelity.py -H 127.0.0.1 -p 5000

Patched, at the depth where moto keeps the state:
- EnableMFADevice checks two consecutive TOTP codes (virtual: the seed moto holds; hardware: the local token inventory
  named by MFA_LOCAL_HARDWARE_TOKENS), refuses FIDO keys unless the request carries `X-Local-Console: register`,
  at most 8 devices per user, a device in use elsewhere, and unknown devices.
- ResyncMFADevice is implemented.
- GetSessionToken checks SerialNumber/TokenCode (with replay protection) and needs no IAM permission.
- DeleteVirtualMFADevice of an assigned device and DeleteUser of a user with devices are DeleteConflict.
- MaxItems/Marker paging for ListUsers, GetAccountAuthorizationDetails and ListMFADevices.
- ListMFADevices/DeactivateMFADevice fall back to the calling user; ListVirtualMFADevices returns no seeds.
Errors are raised as moto's service exceptions, so the XML is AWS's and SDKs raise their modeled exception classes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import threading
import time
import warnings
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


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def find_consecutive(secret: str, code1: str, code2: str, first: int, last: int) -> int | None:
    """The step k in [first, last] at which code1 is valid and code2 is valid at k+1."""
    for k in range(first, last + 1):
        if _same(totp(secret, k), code1) and _same(totp(secret, k + 1), code2):
            return k
    return None


# --- Patches -----------------------------------------------------------------------------------------------------


def install() -> None:
    """Monkeypatches moto's IAM and STS. Idempotent."""
    from moto.core.responses import ActionResult, EmptyResult
    from moto.iam import models as iam_models
    from moto.iam.access_control import IAMRequestBase
    from moto.iam.exceptions import (
        DeleteConflictException,
        EntityAlreadyExists,
        IAMException,
        InvalidInput,
        LimitExceededException,
        NoSuchEntity,
        ValidationError,
    )
    from moto.iam.responses import IamResponse
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse

    if getattr(IamResponse, "_mfa_portal_fidelity", False):
        return
    IamResponse._mfa_portal_fidelity = True  # type: ignore[attr-defined]

    # Unmodeled codes (STS AccessDenied) are fine: they are serialized in AWS's format with the status we set.
    warnings.filterwarnings("ignore", message=r"Exception\(.*\) with code .* does not match an error shape")

    class InvalidAuthenticationCode(IAMException):
        code = "InvalidAuthenticationCode"

    lock = threading.RLock()
    iam_backends = iam_models.iam_backends

    # Per enabled device (moto's MFADevice objects; they vanish on deactivation and on /moto-api/reset):
    OFFSET = "_fidelity_step_offset"  # the device's clock, in steps, relative to ours
    LAST_USED = "_fidelity_last_used_step"  # the newest step accepted by GetSessionToken (replay protection)
    CERTIFICATIONS = "_fidelity_certifications"  # FIDO only: what GetMFADevice reports (set at console registration)

    class Inventory:
        """The local hardware token stock: [{serial, secretBase32, ...}], re-read whenever the file changes."""

        def __init__(self) -> None:
            self.signature: tuple[str, int, int] | None = None
            self.secrets: dict[str, str] = {}
            # serial -> (account id, user object) of its last enablement, checked lazily (see in_use_elsewhere).
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

    inventory = Inventory()

    def device_kind(serial: str) -> str:
        if re.match(r"^arn:aws[\w-]*:iam::\d{12}:mfa/", serial):
            return "virtual"
        if re.match(r"^arn:aws[\w-]*:iam::\d{12}:u2f/", serial):
            return "fido"
        if serial.startswith("arn:"):
            return "other"
        return "hardware"

    def check_code_format(value: Any, field: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"\d{6}", value):
            shown = "null" if value is None else str(value)
            raise ValidationError(
                f"1 validation error detected: Value '{shown}' at '{field}' failed to satisfy constraint: "
                "Member must have length less than or equal to 6, greater than or equal to 6 "
                "and satisfy regular expression pattern: [\\d]+"
            )
        return value

    def no_such_device(serial: str) -> NoSuchEntity:
        return NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")

    def secret_of(backend: Any, serial: str) -> str:
        kind = device_kind(serial)
        if kind == "virtual":
            device = backend.virtual_mfa_devices.get(serial)
            if device is None:
                raise no_such_device(serial)
            return str(device.base32_string_seed)
        if kind == "hardware":
            secret = inventory.secret(serial)
            if secret is None:
                raise no_such_device(serial)
            return secret
        raise no_such_device(serial)

    def hardware_in_use_elsewhere(serial: str, user: Any) -> bool:
        """A hardware token serves one user in all of AWS. The last enablement is remembered and re-checked."""
        seen = inventory.assigned.get(serial)
        if seen is None:
            return False
        account_id, holder = seen
        if holder is user:
            return False
        current = iam_backends[account_id]["aws"].users.get(holder.name)
        return current is holder and serial in holder.mfa_devices

    def caller_user_name(response: Any) -> str:
        """AWS falls back to the user who signs the request; role sessions must name the user."""
        key = response.backend.access_keys.get(response.get_access_key())
        if key is None or not key.user_name:
            raise ValidationError("Must specify userName when calling with non-User credentials")
        return str(key.user_name)

    def in_console(response: Any) -> bool:
        return str(response.headers.get(CONSOLE_HEADER, "")).strip().lower() == CONSOLE_REGISTER

    # EnableMFADevice ------------------------------------------------------------------------------------------

    def code_pair_params(response: Any) -> tuple[str, str, str, str]:
        """UserName, SerialNumber and the two checked codes of EnableMFADevice / ResyncMFADevice."""
        return (
            response._get_param("UserName"),
            response._get_param("SerialNumber") or "",
            check_code_format(response._get_param("AuthenticationCode1"), "authenticationCode1"),
            check_code_format(response._get_param("AuthenticationCode2"), "authenticationCode2"),
        )

    def enable_mfa_device(self: Any) -> Any:
        user_name, serial, code1, code2 = code_pair_params(self)
        backend = self.backend
        with lock:
            user = backend.get_user(user_name)
            kind = device_kind(serial)
            if kind == "fido":
                if not in_console(self):
                    raise InvalidInput(MSG_FIDO_CONSOLE)
                prefix = f":iam::{backend.account_id}:u2f/user/{user.name}/"
                if prefix not in serial:
                    raise InvalidInput(f"FIDO serial number {serial} does not belong to user {user.name}.")
                secret = None
            else:
                secret = secret_of(backend, serial)
            if serial in user.mfa_devices:
                raise EntityAlreadyExists("MFA Device is already in use.")
            if kind == "virtual" and backend.virtual_mfa_devices[serial].user is not None:
                raise EntityAlreadyExists("MFA Device is already in use.")
            if kind == "hardware" and hardware_in_use_elsewhere(serial, user):
                raise EntityAlreadyExists("MFA Device is already in use.")
            if len(user.mfa_devices) >= MAX_DEVICES_PER_USER:
                raise LimitExceededException(f"Cannot exceed quota for MfaDevicesPerUser: {MAX_DEVICES_PER_USER}")
            offset = 0
            if secret is not None:
                now = current_step()
                k = find_consecutive(secret, code1, code2, now - ENABLE_PAST_STEPS, now)
                if k is None:
                    raise InvalidAuthenticationCode(MSG_INVALID_CODE)
                # Late codes attach the device but leave it out of sync, as in AWS.
                offset = k + 1 - now
            backend.enable_mfa_device(user.name, serial, code1, code2)
            device = user.mfa_devices[serial]
            setattr(device, OFFSET, offset)
            setattr(device, LAST_USED, None)
            if kind == "fido":
                setattr(device, CERTIFICATIONS, console_certifications(self))
            if kind == "hardware":
                inventory.assigned[serial] = (backend.account_id, user)
        return EmptyResult()

    def console_certifications(response: Any) -> dict[str, str]:
        raw = str(response.headers.get(CERTIFICATIONS_HEADER, "") or "").strip()
        if not raw:
            return {}
        parsed = json.loads(raw)
        if not isinstance(parsed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()):
            raise InvalidInput(f"{CERTIFICATIONS_HEADER} must be a JSON object of strings.")
        return parsed

    # The credential report's <root_account> row (moto writes none) ------------------------------------------------

    def root_users() -> dict[str, str]:
        """root-users.json beside the hardware token inventory: {account id: mfa | no-mfa | no-root-credentials}."""
        tokens = os.environ.get(HARDWARE_TOKENS_ENV)
        if not tokens:
            return {}
        path = os.path.join(os.path.dirname(tokens), "root-users.json")
        try:
            with open(path, encoding="utf-8") as f:
                return dict(json.load(f))
        except FileNotFoundError:
            return {}

    def root_row(account_id: str, state: str, header: str) -> str:
        # AWS: password_enabled is not_supported on the root row; "no root credentials" leaves nothing on it.
        signed_in = state != "no-root-credentials"
        values = {
            "user": "<root_account>",
            "arn": f"arn:aws:iam::{account_id}:root",
            "user_creation_time": "2020-01-01T00:00:00+00:00",
            "password_enabled": "not_supported",
            "password_last_used": "2026-01-15T09:00:00+00:00" if signed_in else "no_information",
            "password_last_changed": "not_supported",
            "password_next_rotation": "not_supported",
            "mfa_active": "true" if state == "mfa" else "false",
        }
        cells = []
        for name in header.split(","):
            name = name.strip()
            if name in values:
                cells.append(values[name])
            elif name.endswith("_active"):
                cells.append("false")
            else:
                cells.append("N/A")
        return ",".join(cells)

    original_credential_report = iam_models.IAMBackend.get_credential_report

    def get_credential_report_with_root(self: Any) -> str:
        report = original_credential_report(self)
        state = root_users().get(self.account_id)
        if state is None:
            return report
        header, _, rest = report.partition("\n")
        return f"{header}\n{root_row(self.account_id, state, header)}\n{rest}"

    # GetMFADevice (moto: not implemented) ---------------------------------------------------------------------

    def get_mfa_device(self: Any) -> Any:
        serial = str(self._get_param("SerialNumber") or "")
        user_name = self._get_param("UserName") or caller_user_name(self)
        if device_kind(serial) != "fido":
            raise InvalidInput("For this API, we only accept FIDO security key ARNs.")
        with lock:
            user = self.backend.get_user(user_name)
            device = user.mfa_devices.get(serial)
            if device is None:
                raise NoSuchEntity(f"MFA device with serial number {serial} not found for user {user.name}.")
            certifications = dict(getattr(device, CERTIFICATIONS, {}) or {})
        result: dict[str, Any] = {"UserName": user.name, "SerialNumber": serial, "EnableDate": device.enable_date}
        if certifications:
            result["Certifications"] = certifications
        return ActionResult(result)

    # ResyncMFADevice (moto: not implemented) ------------------------------------------------------------------

    def resync_mfa_device(self: Any) -> Any:
        user_name, serial, code1, code2 = code_pair_params(self)
        backend = self.backend
        with lock:
            user = backend.get_user(user_name)
            device = user.mfa_devices.get(serial)
            if device is None:
                raise no_such_device(serial)
            if device_kind(serial) == "fido":
                raise InvalidInput("FIDO security keys do not need to be resynchronized.")
            secret = secret_of(backend, serial)
            now = current_step()
            k = find_consecutive(secret, code1, code2, now - RESYNC_WINDOW_STEPS, now + RESYNC_WINDOW_STEPS - 1)
            if k is None:
                raise InvalidAuthenticationCode(MSG_INVALID_CODE)
            setattr(device, OFFSET, k + 1 - now)
        return EmptyResult()

    # DeactivateMFADevice / DeleteVirtualMFADevice / DeleteUser -----------------------------------------------

    original_deactivate = IamResponse.deactivate_mfa_device

    def deactivate_mfa_device(self: Any) -> Any:
        if not self._get_param("UserName"):
            self.params["UserName"] = caller_user_name(self)
        with lock:
            return original_deactivate(self)

    original_delete_virtual = iam_models.IAMBackend.delete_virtual_mfa_device

    def delete_virtual_mfa_device(self: Any, serial_number: str) -> None:
        with lock:
            device = self.virtual_mfa_devices.get(serial_number)
            if device is not None and device.user is not None:
                raise DeleteConflictException("MFA Device is still in use.")
            original_delete_virtual(self, serial_number)

    original_delete_user = iam_models.IAMBackend.delete_user

    def delete_user(self: Any, user_name: str) -> None:
        with lock:
            user = self.get_user(user_name)
            if user.mfa_devices:
                raise DeleteConflictException("Cannot delete entity, must remove MFA device first.")
            original_delete_user(self, user_name)

    # Paging ---------------------------------------------------------------------------------------------------

    def page_size(self: Any) -> int:
        max_items = self._get_param("MaxItems")
        if max_items is None:
            return 100
        n = int(max_items)
        if n < 1 or n > 1000:
            bound = "greater than or equal to 1" if n < 1 else "less than or equal to 1000"
            raise ValidationError(
                f"1 validation error detected: Value '{n}' at 'maxItems' failed to satisfy constraint: Member must have value {bound}"
            )
        return n

    def encode_marker(index: int) -> str:
        return base64.b64encode(f"mfa-portal-local:{index}".encode()).decode()

    def decode_marker(marker: str | None) -> int:
        if not marker:
            return 0
        try:
            prefix, _, index = base64.b64decode(marker, validate=True).decode().partition(":")
            if prefix == "mfa-portal-local" and index.isdigit():
                return int(index)
        except (ValueError, UnicodeDecodeError):
            pass
        raise ValidationError("Invalid Marker.")

    def paged(self: Any, items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
        size = page_size(self)
        start = decode_marker(self._get_param("Marker"))
        if start > len(items):
            raise ValidationError("Invalid Marker.")
        end = start + size
        if end < len(items):
            return items[start:end], {"IsTruncated": True, "Marker": encode_marker(end)}
        return items[start:end], {"IsTruncated": False}

    def list_users(self: Any) -> Any:
        users = list(self.backend.list_users(self._get_param("PathPrefix"), None, None))
        page, more = paged(self, users)
        return ActionResult({"Users": page, **more})

    def list_mfa_devices(self: Any) -> Any:
        user_name = self._get_param("UserName") or caller_user_name(self)
        devices = list(self.backend.list_mfa_devices(user_name))
        page, more = paged(self, devices)
        return ActionResult(
            {
                "MFADevices": [
                    {"UserName": user_name, "SerialNumber": d.serial_number, "EnableDate": d.enable_date}
                    for d in page
                ],
                **more,
            }
        )

    def get_account_authorization_details(self: Any) -> Any:
        details = self.backend.get_account_authorization_details(self._get_param("Filter", []))
        lists = [
            ("UserDetailList", list(details["users"])),
            ("GroupDetailList", list(details["groups"])),
            ("RoleDetailList", list(details["roles"])),
            ("Policies", list(details["managed_policies"])),
        ]
        everything = [(name, item) for name, items in lists for item in items]
        page, more = paged(self, everything)
        result: dict[str, Any] = {name: [item for n, item in page if n == name] for name, _ in lists}
        return ActionResult({**result, **more})

    def list_virtual_mfa_devices(self: Any) -> Any:
        """Without Base32StringSeed and QRCodePNG (AWS returns a seed only once, at creation), and without the
        empty last page moto returns when the devices fill the previous page exactly."""
        status = self._get_param("AssignmentStatus") or "Any"
        devices = list(self.backend.virtual_mfa_devices.values())
        if status == "Assigned":
            devices = [d for d in devices if d.user is not None]
        elif status == "Unassigned":
            devices = [d for d in devices if d.user is None]
        page, more = paged(self, devices)
        listed = [
            {
                "SerialNumber": d.serial_number,
                **({"User": d.user, "EnableDate": d.enable_date} if d.user is not None else {}),
            }
            for d in page
        ]
        return ActionResult({"VirtualMFADevices": listed, **more})

    # GetSessionToken --------------------------------------------------------------------------------------------

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
        with lock:
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
                if (last_used is None or step > last_used) and _same(totp(secret, step), str(code)):
                    accepted = step
                    break
            if accepted is None:
                return sts_access_denied(self, MSG_STS_CODE)
            setattr(device, LAST_USED, accepted)
        return original_get_session_token(self)

    # AWS needs no permission for GetSessionToken (moto already exempts GetCallerIdentity).
    original_check_action_permitted = IAMRequestBase.check_action_permitted

    def check_action_permitted(self: Any, resource: str) -> None:
        if self._action == "sts:GetSessionToken":
            return
        original_check_action_permitted(self, resource)

    IamResponse.enable_mfa_device = enable_mfa_device  # type: ignore[method-assign]
    IamResponse.resync_mfa_device = resync_mfa_device  # type: ignore[attr-defined]
    IamResponse.get_mfa_device = get_mfa_device  # type: ignore[attr-defined]
    IamResponse.deactivate_mfa_device = deactivate_mfa_device  # type: ignore[method-assign]
    IamResponse.list_users = list_users  # type: ignore[method-assign]
    IamResponse.list_mfa_devices = list_mfa_devices  # type: ignore[method-assign]
    IamResponse.get_account_authorization_details = get_account_authorization_details  # type: ignore[method-assign]
    IamResponse.list_virtual_mfa_devices = list_virtual_mfa_devices  # type: ignore[method-assign]
    iam_models.IAMBackend.delete_virtual_mfa_device = delete_virtual_mfa_device  # type: ignore[method-assign]
    iam_models.IAMBackend.delete_user = delete_user  # type: ignore[method-assign]
    iam_models.IAMBackend.get_credential_report = get_credential_report_with_root  # type: ignore[method-assign]
    TokenResponse.get_session_token = get_session_token  # type: ignore[method-assign]
    IAMRequestBase.check_action_permitted = check_action_permitted  # type: ignore[method-assign]
    install_credential_report_dates(IamResponse, ActionResult)
    install_whole_second_create_dates(iam_models)
    install_model_dump()
    install_user_activity(iam_backends)


def _utc_naive(value: Any, field: str) -> Any:
    """An ISO 8601 time (or "now") as moto keeps times: naive UTC."""
    from datetime import datetime, timezone

    from moto.core.utils import utcnow

    # AWS keeps these times to the second (CreateDate, the report's columns alike).
    if value == "now":
        return utcnow().replace(microsecond=0)
    if not isinstance(value, str):
        raise ValueError(f"{field} must be an ISO 8601 time or \"now\"")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    if parsed > utcnow():
        raise ValueError(f"{field} is in the future")
    return parsed.replace(microsecond=0)


def install_credential_report_dates(iam_response: Any, action_result: Any) -> None:
    """
    GetCredentialReport: moto answers GeneratedTime 2015-02-02T20:02:02Z. moto builds the report's content on each
    call, so the content really is generated now: GeneratedTime says so, in AWS's format.
    """
    from moto.core.utils import utcnow

    def get_credential_report(self: Any) -> Any:
        report = self.backend.get_credential_report()
        return action_result({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")})

    iam_response.get_credential_report = get_credential_report


def install_whole_second_create_dates(iam_models: Any) -> None:
    """
    AWS keeps a user's CreateDate to the second, and the credential report's user_creation_time is the same instant.
    moto keeps microseconds, which GetAccountAuthorizationDetails returns and the report drops: the two disagreed.
    """
    original = iam_models.User.__init__

    def user_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.create_date = self.create_date.replace(microsecond=0)

    iam_models.User.__init__ = user_init


def install_user_activity(iam_backends: Any) -> None:
    """
    POST /moto-api/fidelity/user-activity {"accountId", "userName", "createDate"?, "passwordLastUsed"?}: what only
    time and people produce in AWS, for the seed (users created months ago, console sign-ins long past) and for
    console sign-ins in the demo (the proxy's /_local/console-sign-in sends "now"). Times are ISO 8601 or "now".
    CreateDate changes GetUser, GetAccountAuthorizationDetails and the report's user_creation_time alike;
    passwordLastUsed is the report's password_last_used. A sign-in needs a
    console password, and cannot precede the user's creation.
    """
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse

    def error(status: int, message: str) -> Any:
        return status, {"Content-Type": "application/json"}, json.dumps({"error": message})

    def user_activity(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        if request.method != "POST":
            return error(405, "use POST")
        try:
            body = self._get_body(headers, request)
        except (ValueError, KeyError):
            return error(400, "the body must be JSON")
        account_id, user_name = str(body.get("accountId", "")), str(body.get("userName", ""))
        if not re.fullmatch(r"\d{12}", account_id) or not user_name:
            return error(400, "accountId (12 digits) and userName are required")
        user = iam_backends[account_id]["aws"].users.get(user_name)
        if user is None:
            return error(404, f"no IAM user {user_name} in {account_id}")
        try:
            created = _utc_naive(body["createDate"], "createDate") if "createDate" in body else user.create_date
            used = body.get("passwordLastUsed")
            signed_in = _utc_naive(used, "passwordLastUsed") if used is not None else None
        except ValueError as e:
            return error(400, str(e))
        if signed_in is not None and not user.password:
            return error(409, f"{user_name} has no console password: nobody can sign in to the console as this user")
        last = signed_in or user.password_last_used
        if last is not None and last < created:
            return error(409, "a console sign-in cannot precede the user's creation")
        user.create_date = created
        if signed_in is not None:
            user.password_last_used = signed_in
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {
                "accountId": account_id,
                "userName": user_name,
                "createDate": user.create_date.strftime(fmt),
                "passwordLastUsed": user.password_last_used.strftime(fmt) if user.password_last_used else None,
            }
        )

    MotoAPIResponse.user_activity = user_activity  # type: ignore[attr-defined]
    urls.url_paths["{0}/moto-api/fidelity/user-activity"] = urls.response_instance.user_activity  # type: ignore[attr-defined]


def install_model_dump() -> None:
    """
    /moto-api/data.json dumps every tracked model, and tests read SES's captured messages from it. moto skips an
    attribute whose value json cannot encode, but a property that raises anything else (IAM policy objects do, once
    versions were deleted) fails the whole dump with a 500. Skip such attributes too.
    """
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse

    def model_data(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        from moto.core.model_instances import model_data as tracked

        results: dict[str, dict[str, list[Any]]] = {}
        for service in sorted(tracked):
            results[service] = {}
            for name in sorted(tracked[service]):
                rows: list[Any] = []
                for instance in tracked[service][name].instances_tracked:  # type: ignore[attr-defined]
                    row = {}
                    for attr in dir(instance):
                        if attr.startswith("_"):
                            continue
                        try:
                            value = getattr(instance, attr)
                            json.dumps(value)
                        except Exception:  # noqa: BLE001 - any failing attribute is left out, as moto does for some
                            continue
                        row[attr] = value
                    rows.append(row)
                results[service][name] = rows
        return 200, {"Content-Type": "application/javascript"}, json.dumps(results)

    MotoAPIResponse.model_data = model_data  # type: ignore[method-assign]
    urls.url_paths["{0}/moto-api/data.json"] = urls.response_instance.model_data


def main() -> None:
    if sys.argv[1:2] == ["--totp"]:
        # For cross-checking the TypeScript implementation: --totp SECRET STEP [STEP...]
        secret = sys.argv[2]
        print(json.dumps([totp(secret, int(step)) for step in sys.argv[3:]]))
        return
    install()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
