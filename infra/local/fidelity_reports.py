"""What the inventory reads, as AWS returns it (moto_fidelity.py): paged listings, ListVirtualMFADevices without
seeds, and the credential report (root row, GeneratedTime, CreateDate to the second).
"""

from __future__ import annotations

import json
import os
from typing import Any

from fidelity_common import (
    virtual_devices_page,
    HARDWARE_TOKENS_ENV,
    caller_user_name,
    paged,
)


def listings_are_paged() -> None:
    """
    ListUsers, ListMFADevices and GetAccountAuthorizationDetails page with MaxItems/Marker as AWS does (moto returns
    everything at once); GetAccountAuthorizationDetails pages across users, groups, roles and policies together.
    ListMFADevices without UserName lists the calling IAM user's devices; role sessions must name the user.
    """
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

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

    IamResponse.list_users = list_users  # type: ignore[method-assign]
    IamResponse.list_mfa_devices = list_mfa_devices  # type: ignore[method-assign]
    IamResponse.get_account_authorization_details = get_account_authorization_details  # type: ignore[method-assign]


def virtual_devices_listed_without_seeds() -> None:
    """
    ListVirtualMFADevices without Base32StringSeed and QRCodePNG (AWS returns a seed only once, at creation), paged
    like the other listings and without the empty last page moto returns when the devices fill the previous page.
    """
    from moto.core.responses import ActionResult
    from moto.iam.responses import IamResponse

    def list_virtual_mfa_devices(self: Any) -> Any:
        page, more = virtual_devices_page(self)
        listed = [
            {
                "SerialNumber": d.serial_number,
                **({"User": d.user, "EnableDate": d.enable_date} if d.user is not None else {}),
            }
            for d in page
        ]
        return ActionResult({"VirtualMFADevices": listed, **more})

    IamResponse.list_virtual_mfa_devices = list_virtual_mfa_devices  # type: ignore[method-assign]


def credential_report_root_row() -> None:
    """
    GetCredentialReport starts with the account's <root_account> row, which moto does not write: per account from
    root-users.json beside the hardware token inventory (MFA on, MFA off, or no root credentials).
    """
    from moto.iam.models import IAMBackend

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

    original_credential_report = IAMBackend.get_credential_report

    def get_credential_report_with_root(self: Any) -> str:
        report = original_credential_report(self)
        state = root_users().get(self.account_id)
        if state is None:
            return report
        header, _, rest = report.partition("\n")
        return f"{header}\n{root_row(self.account_id, state, header)}\n{rest}"

    IAMBackend.get_credential_report = get_credential_report_with_root  # type: ignore[method-assign]


def credential_report_generated_now() -> None:
    """
    GetCredentialReport: moto answers GeneratedTime 2015-02-02T20:02:02Z. moto builds the report's content on each
    call, so the content really is generated now: GeneratedTime says so, in AWS's format.
    """
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.iam.responses import IamResponse

    def get_credential_report(self: Any) -> Any:
        report = self.backend.get_credential_report()
        return ActionResult({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")})

    IamResponse.get_credential_report = get_credential_report  # type: ignore[method-assign]


def whole_second_create_dates() -> None:
    """
    AWS keeps a user's CreateDate to the second, and the credential report's user_creation_time is the same instant.
    moto keeps microseconds, which GetAccountAuthorizationDetails returns and the report drops: the two disagreed.
    """
    from moto.iam import models as iam_models

    original = iam_models.User.__init__

    def user_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.create_date = self.create_date.replace(microsecond=0)

    iam_models.User.__init__ = user_init
