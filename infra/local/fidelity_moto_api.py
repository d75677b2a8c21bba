"""moto's own API, for the seed and tests (moto_fidelity.py): /moto-api/fidelity/user-activity dates users, and
/moto-api/data.json survives attributes that raise.
"""

from __future__ import annotations

import json
import re
from typing import Any


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


def json_error(status: int, message: str) -> Any:
    """A moto-API error answer: {"error": message} with the status."""
    return status, {"Content-Type": "application/json"}, json.dumps({"error": message})


def json_post_body(response: Any, request: Any, headers: Any) -> tuple[dict[str, Any] | None, Any]:
    """The JSON body of a POST to a moto-API endpoint, or the error answer (not POST, not JSON)."""
    if request.method != "POST":
        return None, json_error(405, "use POST")
    try:
        return response._get_body(headers, request), None
    except (ValueError, KeyError):
        return None, json_error(400, "the body must be JSON")


def user_activity_endpoint() -> None:
    """
    POST /moto-api/fidelity/user-activity {"accountId", "userName", "createDate"?, "passwordLastUsed"?}: what only
    time and people produce in AWS, for the seed (users created months ago, console sign-ins long past) and for
    console sign-ins in the demo (the proxy's /_local/console-sign-in sends "now"). Times are ISO 8601 or "now".
    CreateDate changes GetUser, GetAccountAuthorizationDetails and the report's user_creation_time alike;
    passwordLastUsed is the report's password_last_used. A sign-in needs a
    console password, and cannot precede the user's creation.
    """
    from moto.iam.models import iam_backends
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse

    error = json_error

    def user_activity(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        body, refused = json_post_body(self, request, headers)
        if body is None:
            return refused
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
                # The console asks a user with an MFA device for it at sign-in: CloudTrail's MFAUsed (proxy.ts).
                "mfaDevices": len(user.mfa_devices),
            }
        )

    MotoAPIResponse.user_activity = user_activity  # type: ignore[attr-defined]
    urls.url_paths["{0}/moto-api/fidelity/user-activity"] = urls.response_instance.user_activity  # type: ignore[attr-defined]


def model_dump_skips_failing_attributes() -> None:
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


def iam_event_endpoint() -> None:
    """
    POST /moto-api/fidelity/iam-event {"queueUrl", "envelope", "accessKeyId"?} (or {"queueUrl", "body"}: a raw message,
    for tests of what the portal does with a malformed one): what EventBridge does with CloudTrail's
    record of an IAM call, for the local stack. The proxy (proxy.ts) sends the envelope it built for a call it
    passed; this side knows whose key signed it (moto's state): the account goes into `account` and
    `detail.recipientAccountId`, the caller into `detail.userIdentity` (IAMUser or AssumedRole, as CloudTrail
    names them), and the envelope is queued on the portal's SQS queue (moto's SQS) without SQS auth, as EventBridge
    delivers with its own service principal. Without accessKeyId the envelope is queued as given (console.ts).
    """
    from moto.iam.models import get_account_id_from, iam_backends
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse
    from moto.sqs.models import sqs_backends

    error = json_error

    def caller(access_key_id: str) -> tuple[str, dict[str, Any]]:
        account_id = get_account_id_from(access_key_id)
        key = iam_backends[account_id]["aws"].access_keys.get(access_key_id)
        if key is not None and key.role_arn:
            role = key.role_arn.split("/")[-1]
            return account_id, {"type": "AssumedRole", "accountId": account_id, "accessKeyId": access_key_id,
                                "arn": f"arn:aws:sts::{account_id}:assumed-role/{role}/session"}
        user_name = key.user_name if key is not None else None
        identity: dict[str, Any] = {"type": "IAMUser", "accountId": account_id, "accessKeyId": access_key_id}
        if user_name:
            identity.update(userName=user_name, arn=f"arn:aws:iam::{account_id}:user/{user_name}")
        return account_id, identity

    def iam_event(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        body, refused = json_post_body(self, request, headers)
        if refused:
            return refused
        queue_url, envelope, raw = body.get("queueUrl"), body.get("envelope"), body.get("body")
        match = re.fullmatch(r"https?://[^/]+/(\d{12})/([\w-]{1,80})", str(queue_url or ""))
        if match and isinstance(raw, str):
            sqs_backends[match.group(1)]["us-east-1"].send_message(match.group(2), raw)
            return 200, {"Content-Type": "application/json"}, json.dumps({})
        if not match or not isinstance(envelope, dict) or not isinstance(envelope.get("detail"), dict):
            return error(400, "queueUrl (http://host/ACCOUNT/NAME) and envelope (with a detail) are required")
        key_id = body.get("accessKeyId")
        if isinstance(key_id, str) and key_id:
            account_id, identity = caller(key_id)
            envelope["account"] = account_id
            envelope["detail"]["recipientAccountId"] = account_id
            envelope["detail"]["userIdentity"] = identity
        queue_account, queue_name = match.group(1), match.group(2)
        region = str(envelope.get("region") or "us-east-1")
        try:
            sqs_backends[queue_account][region].send_message(queue_name, json.dumps(envelope))
        except Exception as e:  # noqa: BLE001 - the queue's absence is the caller's answer, not moto's 500
            return error(404, f"no queue {queue_name} in {queue_account}: {e}")
        return 200, {"Content-Type": "application/json"}, json.dumps({"account": envelope.get("account"), "eventID": envelope["detail"].get("eventID")})

    MotoAPIResponse.iam_event = iam_event  # type: ignore[attr-defined]
    urls.url_paths["{0}/moto-api/fidelity/iam-event"] = urls.response_instance.iam_event  # type: ignore[attr-defined]


def bulk_users_endpoint() -> None:
    """
    POST /moto-api/fidelity/bulk-users {"accountId", "users": [{"userName", "path"?, "tags"?: {key: value},
    "groups"?: [...], "consolePassword"?, "devices"?: [{"type": "virtual", "name"} | {"type": "fido", "serial",
    "certifications"?}], "unassignedVirtualDevices"?: [name, ...]}]}: benchmark populations of tens of thousands of
    users, defined in TypeScript (infra/local/seed-bulk.ts), created in one request instead of five IAM calls each.
    Each user goes through the same backend methods IamResponse calls for CreateUser, AddUserToGroup,
    CreateLoginProfile, CreateVirtualMFADevice and EnableMFADevice, with the fidelity state EnableMFADevice leaves
    (clock offset 0, no code used yet, FIDO certifications), so every IAM API answers for them as for API-created
    ones. Codes are not checked: the devices are enabled as their holders would have. Hardware tokens are refused
    (the token inventory is the seed's). All users are checked before any is created.
    """
    from moto.iam.models import iam_backends
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse

    from fidelity_common import CERTIFICATIONS, LAST_USED, OFFSET, state_lock

    def problem(users: Any) -> str | None:
        if not isinstance(users, list):
            return "users must be a list"
        for u in users:
            if not isinstance(u, dict) or not isinstance(u.get("userName"), str) or not u["userName"]:
                return "every user needs a userName"
            for d in u.get("devices") or []:
                if not isinstance(d, dict) or d.get("type") not in ("virtual", "fido"):
                    return f"{u['userName']}: devices are {{type: virtual, name}} or {{type: fido, serial}}"
        return None

    def bulk_users(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        body, refused = json_post_body(self, request, headers)
        if body is None:
            return refused
        account_id, users = str(body.get("accountId", "")), body.get("users")
        if not re.fullmatch(r"\d{12}", account_id):
            return json_error(400, "accountId (12 digits) is required")
        wrong = problem(users)
        if wrong:
            return json_error(400, wrong)
        backend = iam_backends[account_id]["aws"]
        try:
            with state_lock:
                for u in users:
                    name = u["userName"]
                    tags = [{"Key": k, "Value": v} for k, v in (u.get("tags") or {}).items()]
                    backend.create_user("us-east-1", name, u.get("path"), tags)
                    for group in u.get("groups") or []:
                        backend.add_user_to_group(group, name)
                    if u.get("consolePassword"):
                        backend.create_login_profile(name, u["consolePassword"])
                    for d in u.get("devices") or []:
                        serial = backend.create_virtual_mfa_device(d["name"], "/").serial_number if d["type"] == "virtual" else d["serial"]
                        backend.enable_mfa_device(name, serial, "000000", "000000")
                        device = backend.users[name].mfa_devices[serial]
                        setattr(device, OFFSET, 0)
                        setattr(device, LAST_USED, None)
                        if d["type"] == "fido":
                            setattr(device, CERTIFICATIONS, dict(d.get("certifications") or {}))
                    for leftover in u.get("unassignedVirtualDevices") or []:
                        backend.create_virtual_mfa_device(leftover, "/")
        except Exception as e:  # noqa: BLE001 - moto's own errors (an existing user, no such group) as the answer
            return json_error(409, f"{type(e).__name__}: {e}")
        return 200, {"Content-Type": "application/json"}, json.dumps({"accountId": account_id, "created": len(users)})

    MotoAPIResponse.bulk_users = bulk_users  # type: ignore[attr-defined]
    urls.url_paths["{0}/moto-api/fidelity/bulk-users"] = urls.response_instance.bulk_users  # type: ignore[attr-defined]
