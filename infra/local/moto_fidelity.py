"""moto's server with the IAM/STS behaviours of AWS that moto 5.2 lacks (see AWS-FACTS.md, "What moto does not do").

Run exactly like moto_server (same flags):  .venv/bin/python infra/local/moto_fidelity.py -H 127.0.0.1 -p 5000

Each behaviour is one function that patches moto at the depth where it keeps the state, with a doc comment naming
the AWS fact it models; install() registers them all (BEHAVIOURS). They live beside this file: fidelity_devices.py
(MFA device calls), fidelity_sts.py (GetSessionToken), fidelity_reports.py (listings, credential report),
fidelity_fast_xml.py (the two big listings' XML), fidelity_moto_api.py (moto's own API), and what they share in
fidelity_common.py:
- EnableMFADevice checks two consecutive TOTP codes (virtual: the seed moto holds; hardware: the local token inventory
  named by MFA_LOCAL_HARDWARE_TOKENS), refuses FIDO keys unless the request carries `X-Local-Console: register`,
  at most 8 devices per user, a device in use elsewhere, and unknown devices.
- ResyncMFADevice is implemented.
- GetSessionToken checks SerialNumber/TokenCode (with replay protection) and needs no IAM permission.
- DeleteVirtualMFADevice of an assigned device and DeleteUser of a user with devices are DeleteConflict.
- MaxItems/Marker paging for ListUsers, GetAccountAuthorizationDetails and ListMFADevices.
- ListMFADevices/DeactivateMFADevice fall back to the calling user; ListVirtualMFADevices returns no seeds.
- GetAccountAuthorizationDetails (Filter=[User]) and ListVirtualMFADevices write their XML directly, byte for byte
  moto's, in a few ms per 1000 items instead of ~200 ms of one-process CPU (fidelity_fast_xml.py; --check-fast-xml).
- GetMFADevice reports FIDO certifications; the credential report has a root row, dates as AWS keeps them.
- /moto-api/fidelity/user-activity dates users; /moto-api/data.json survives attributes that raise;
  /moto-api/fidelity/bulk-users creates a benchmark population in one request.
- /moto-api/fidelity/organization builds an AWS Organizations organisation with fixed account ids; AssumeRole of a
  role that does not exist is AccessDenied (fidelity_organizations.py).
Errors are raised as moto's service exceptions, so the XML is AWS's and SDKs raise their modeled exception classes.
"""

from __future__ import annotations

import json
import sys

from fidelity_common import totp
from fidelity_fast_xml import fast_listings_xml
from fidelity_devices import (
    deactivate_falls_back_to_caller,
    delete_conflicts,
    enable_checks_codes_and_holders,
    get_mfa_device_of_fido_keys,
    resync_mfa_device,
)
from fidelity_moto_api import bulk_users_endpoint, iam_event_endpoint, model_dump_skips_failing_attributes, user_activity_endpoint
from fidelity_reports import (
    credential_report_generated_now,
    credential_report_root_row,
    listings_are_paged,
    virtual_devices_listed_without_seeds,
    whole_second_create_dates,
)
from fidelity_organizations import assume_role_needs_the_role, organization_endpoint
from fidelity_sts import session_token_checks_mfa, session_token_needs_no_permission


BEHAVIOURS = (
    enable_checks_codes_and_holders,
    resync_mfa_device,
    get_mfa_device_of_fido_keys,
    session_token_checks_mfa,
    session_token_needs_no_permission,
    deactivate_falls_back_to_caller,
    delete_conflicts,
    listings_are_paged,
    virtual_devices_listed_without_seeds,
    fast_listings_xml,  # after the two it wraps
    credential_report_root_row,
    credential_report_generated_now,
    whole_second_create_dates,
    model_dump_skips_failing_attributes,
    user_activity_endpoint,
    assume_role_needs_the_role,
    organization_endpoint,
    iam_event_endpoint,
    bulk_users_endpoint,
)


def install() -> None:
    """Monkeypatches moto's IAM and STS with every behaviour of BEHAVIOURS. Idempotent."""
    from moto.iam.responses import IamResponse

    if getattr(IamResponse, "_mfa_portal_fidelity", False):
        return
    IamResponse._mfa_portal_fidelity = True  # type: ignore[attr-defined]
    for behaviour in BEHAVIOURS:
        behaviour()


def main() -> None:
    if sys.argv[1:2] == ["--totp"]:
        # For cross-checking the TypeScript implementation: --totp SECRET STEP [STEP...]
        secret = sys.argv[2]
        print(json.dumps([totp(secret, int(step)) for step in sys.argv[3:]]))
        return
    if sys.argv[1:2] == ["--check-fast-xml"]:
        # fidelity_fast_xml.py against moto's serializer, page by page (fidelity_fast_xml_check.py): a JSON summary.
        from fidelity_fast_xml_check import compare_pages

        print(json.dumps(compare_pages()))
        return
    install()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
