"""MFA device calls as AWS answers them (moto_fidelity.py): EnableMFADevice, ResyncMFADevice, GetMFADevice,
DeactivateMFADevice without UserName, and the DeleteConflicts of DeleteVirtualMFADevice and DeleteUser.
"""

from __future__ import annotations

import json
from typing import Any

from fidelity_common import (
    CERTIFICATIONS,
    CERTIFICATIONS_HEADER,
    CONSOLE_HEADER,
    CONSOLE_REGISTER,
    ENABLE_PAST_STEPS,
    LAST_USED,
    MAX_DEVICES_PER_USER,
    MSG_FIDO_CONSOLE,
    OFFSET,
    RESYNC_WINDOW_STEPS,
    caller_user_name,
    code_pair_params,
    current_step,
    device_kind,
    find_consecutive,
    hardware_tokens,
    invalid_code,
    no_such_device,
    secret_of,
    state_lock,
)


def enable_checks_codes_and_holders() -> None:
    """
    EnableMFADevice as AWS does it: two consecutive TOTP codes (code 1 at step k, code 2 at k+1, k at most
    ENABLE_PAST_STEPS old; late codes attach the device out of sync), FIDO keys only from the console, a device
    held by this or another user (a hardware token by anyone, in any account) is EntityAlreadyExists, unknown
    devices are NoSuchEntity, and at most MAX_DEVICES_PER_USER devices per user.
    """
    from moto.core.responses import EmptyResult
    from moto.iam.exceptions import EntityAlreadyExists, InvalidInput, LimitExceededException
    from moto.iam.models import iam_backends
    from moto.iam.responses import IamResponse

    def in_console(response: Any) -> bool:
        return str(response.headers.get(CONSOLE_HEADER, "")).strip().lower() == CONSOLE_REGISTER

    def console_certifications(response: Any) -> dict[str, str]:
        raw = str(response.headers.get(CERTIFICATIONS_HEADER, "") or "").strip()
        if not raw:
            return {}
        parsed = json.loads(raw)
        if not isinstance(parsed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()):
            raise InvalidInput(f"{CERTIFICATIONS_HEADER} must be a JSON object of strings.")
        return parsed

    def hardware_in_use_elsewhere(serial: str, user: Any) -> bool:
        """A hardware token serves one user in all of AWS. The last enablement is remembered and re-checked."""
        seen = hardware_tokens.assigned.get(serial)
        if seen is None:
            return False
        account_id, holder = seen
        if holder is user:
            return False
        current = iam_backends[account_id]["aws"].users.get(holder.name)
        return current is holder and serial in holder.mfa_devices

    def enable_mfa_device(self: Any) -> Any:
        user_name, serial, code1, code2 = code_pair_params(self)
        backend = self.backend
        with state_lock:
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
                    raise invalid_code()
                # Late codes attach the device but leave it out of sync, as in AWS.
                offset = k + 1 - now
            backend.enable_mfa_device(user.name, serial, code1, code2)
            device = user.mfa_devices[serial]
            setattr(device, OFFSET, offset)
            setattr(device, LAST_USED, None)
            if kind == "fido":
                setattr(device, CERTIFICATIONS, console_certifications(self))
            if kind == "hardware":
                hardware_tokens.assigned[serial] = (backend.account_id, user)
        return EmptyResult()

    IamResponse.enable_mfa_device = enable_mfa_device  # type: ignore[method-assign]


def resync_mfa_device() -> None:
    """
    ResyncMFADevice (moto: HTTP 500): two consecutive codes anywhere within RESYNC_WINDOW_STEPS of now; the device's
    new clock offset is stored. FIDO keys need no resync (InvalidInput); a device the user lacks is NoSuchEntity.
    """
    from moto.core.responses import EmptyResult
    from moto.iam.exceptions import InvalidInput
    from moto.iam.responses import IamResponse

    def resync(self: Any) -> Any:
        user_name, serial, code1, code2 = code_pair_params(self)
        backend = self.backend
        with state_lock:
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
                raise invalid_code()
            setattr(device, OFFSET, k + 1 - now)
        return EmptyResult()

    IamResponse.resync_mfa_device = resync  # type: ignore[attr-defined]


def get_mfa_device_of_fido_keys() -> None:
    """
    GetMFADevice (moto: not implemented) answers for FIDO keys only, with the certifications the FIDO metadata
    service gave at console registration (none for a passkey). Other serial types: InvalidInput (AWS documents only
    that it accepts FIDO ARNs: the exact error is our assumption).
    """
    from moto.core.responses import ActionResult
    from moto.iam.exceptions import InvalidInput, NoSuchEntity
    from moto.iam.responses import IamResponse

    def get_mfa_device(self: Any) -> Any:
        serial = str(self._get_param("SerialNumber") or "")
        user_name = self._get_param("UserName") or caller_user_name(self)
        if device_kind(serial) != "fido":
            raise InvalidInput("For this API, we only accept FIDO security key ARNs.")
        with state_lock:
            user = self.backend.get_user(user_name)
            device = user.mfa_devices.get(serial)
            if device is None:
                raise NoSuchEntity(f"MFA device with serial number {serial} not found for user {user.name}.")
            certifications = dict(getattr(device, CERTIFICATIONS, {}) or {})
        result: dict[str, Any] = {"UserName": user.name, "SerialNumber": serial, "EnableDate": device.enable_date}
        if certifications:
            result["Certifications"] = certifications
        return ActionResult(result)

    IamResponse.get_mfa_device = get_mfa_device  # type: ignore[attr-defined]


def deactivate_falls_back_to_caller() -> None:
    """DeactivateMFADevice without UserName acts on the calling IAM user; role sessions must name the user."""
    from moto.iam.responses import IamResponse

    original_deactivate = IamResponse.deactivate_mfa_device

    def deactivate_mfa_device(self: Any) -> Any:
        if not self._get_param("UserName"):
            self.params["UserName"] = caller_user_name(self)
        with state_lock:
            return original_deactivate(self)

    IamResponse.deactivate_mfa_device = deactivate_mfa_device  # type: ignore[method-assign]


def delete_conflicts() -> None:
    """
    DeleteConflict as in AWS: DeleteVirtualMFADevice of a device still assigned (moto deleted it and left a stale
    entry), DeleteUser of a user who still has MFA devices.
    """
    from moto.iam.exceptions import DeleteConflictException
    from moto.iam.models import IAMBackend

    original_delete_virtual = IAMBackend.delete_virtual_mfa_device

    def delete_virtual_mfa_device(self: Any, serial_number: str) -> None:
        with state_lock:
            device = self.virtual_mfa_devices.get(serial_number)
            if device is not None and device.user is not None:
                raise DeleteConflictException("MFA Device is still in use.")
            original_delete_virtual(self, serial_number)

    original_delete_user = IAMBackend.delete_user

    def delete_user(self: Any, user_name: str) -> None:
        with state_lock:
            user = self.get_user(user_name)
            if user.mfa_devices:
                raise DeleteConflictException("Cannot delete entity, must remove MFA device first.")
            original_delete_user(self, user_name)

    IAMBackend.delete_virtual_mfa_device = delete_virtual_mfa_device  # type: ignore[method-assign]
    IAMBackend.delete_user = delete_user  # type: ignore[method-assign]
