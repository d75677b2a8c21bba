"""The two big listings the inventory reads, written as XML directly (moto_fidelity.py): GetAccountAuthorizationDetails
with Filter=[User] and ListVirtualMFADevices. AWS answers a 1000-item page in its own round trip; moto's generic
serializer (moto/core/serialize.py) spent ~200 ms of CPU on one, in a single-process server (GIL), so every other
call queued behind it. The document is the one moto's serializer writes for the same data, byte for byte
(`python moto_fidelity.py --check-fast-xml` proves it, fidelity_fast_xml_check.py); anything this writer does not cover
falls back to moto's serializer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from fidelity_common import paged, virtual_devices_page

NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
CONTENT_TYPE = "text/xml"
# moto's call_action replaces the text of <RequestId> with the request's id (as it does for its own serializer).
REQUEST_ID_PLACEHOLDER = "mfa-portal-local"


class Unsupported(Exception):
    """Data the direct writer does not render; the call falls back to moto's serializer."""


class Switch:
    """On in the server; check_fast_xml turns it off to render the same page with moto's serializer."""

    enabled = True
    rendered = 0  # pages written by the direct writer (check_fast_xml counts them)


def _text(name: str, value: Any) -> str:
    # moto: str(value), xmltodict escapes &, < and > (not quotes); an empty string is a short empty element.
    text = escape(str(value))
    return f"<{name}>{text}</{name}>" if text else f"<{name}/>"


def _timestamp(name: str, value: Any) -> str:
    # moto's TimestampSerializer (iso8601): microseconds only when there are any, "Z" whatever the tzinfo.
    if not isinstance(value, datetime):
        from botocore.utils import parse_to_aware_datetime

        value = parse_to_aware_datetime(value)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond > 0 else "%Y-%m-%dT%H:%M:%SZ"
    return f"<{name}>{value.strftime(fmt)}</{name}>"


def _list(name: str, members: list[str]) -> str:
    # A non-flattened list: <Name><member>…</member>…</Name>, and <Name/> when empty.
    return f"<{name}>{''.join(members)}</{name}>" if members else f"<{name}/>"


def _struct(fields: list[tuple[str, Any]]) -> str:
    parts = []
    for name, value in fields:
        if value is None:
            continue
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise Unsupported(name)
        parts.append(_text(name, value))
    if not parts:
        raise Unsupported("an empty member")
    return "".join(parts)


def _tags(tags: Any) -> str:
    if tags is None:
        return ""
    if not isinstance(tags, list):
        raise Unsupported("Tags")
    members = [f"<member>{_struct([('Key', t.get('Key')), ('Value', t.get('Value'))])}</member>" for t in tags]
    return _list("Tags", members)


def _permissions_boundary(user: Any) -> str:
    boundary = getattr(user, "permissions_boundary", None)
    if boundary is None:
        return ""
    keys = ("PermissionsBoundaryType", "PermissionsBoundaryArn")
    if not isinstance(boundary, dict) or set(boundary) - set(keys):
        raise Unsupported("PermissionsBoundary")
    return f"<PermissionsBoundary>{_struct([(k, boundary.get(k)) for k in keys])}</PermissionsBoundary>"


def _user_head(user: Any) -> str:
    return (
        _text("Path", user.path)
        + _text("UserName", user.name)
        + _text("UserId", user.id)
        + _text("Arn", user.arn)
        + _timestamp("CreateDate", user.create_date)
    )


def user_detail(user: Any, groups: list[str]) -> str:
    """One UserDetail as moto's serializer writes it from moto's User (members in the botocore model's order)."""
    policies = [
        f"<member>{_struct([('PolicyName', p['PolicyName']), ('PolicyDocument', p['PolicyDocument'])])}</member>"
        for p in user.user_policy_list
    ]
    attached = [
        f"<member>{_struct([('PolicyName', p['PolicyName']), ('PolicyArn', p['PolicyArn'])])}</member>"
        for p in user.attached_managed_policies
    ]
    return (
        "<member>"
        + _user_head(user)
        + _list("UserPolicyList", policies)
        + _list("GroupList", [_text("member", g) for g in groups])
        + _list("AttachedManagedPolicies", attached)
        + _permissions_boundary(user)
        + _tags(user.tags)
        + "</member>"
    )


def device_member(device: Any) -> str:
    """One VirtualMFADevice without its seed: SerialNumber, then (assigned) the User and EnableDate."""
    out = "<member>" + _text("SerialNumber", device.serial_number)
    user = device.user
    if user is not None:
        out += "<User>" + _user_head(user)
        if user.password_last_used is not None:
            out += _timestamp("PasswordLastUsed", user.password_last_used)
        out += _permissions_boundary(user) + _tags(user.tags) + "</User>"
        if device.enable_date is not None:
            out += _timestamp("EnableDate", device.enable_date)
    return out + "</member>"


def _document(operation: str, result: str, more: dict[str, Any]) -> str:
    paging = "<IsTruncated>true</IsTruncated>" if more["IsTruncated"] else "<IsTruncated>false</IsTruncated>"
    if "Marker" in more:
        paging += _text("Marker", more["Marker"])
    return (
        f'<{operation}Response xmlns="{NAMESPACE}"><{operation}Result>{result}{paging}</{operation}Result>'
        f"<ResponseMetadata><RequestId>{REQUEST_ID_PLACEHOLDER}</RequestId></ResponseMetadata></{operation}Response>"
    )


def _writes_plain_xml(response: Any) -> bool:
    """moto's serializer would write compact query XML (not JSON, not pretty-printed) for this request."""
    from moto import settings
    from moto.core.responses import get_service_model

    if settings.PRETTIFY_RESPONSES:
        return False
    return bool(response.determine_response_protocol(get_service_model("iam")) == "query")


def groups_by_user(backend: Any) -> dict[int, list[str]]:
    """Every user's group names in moto's order (get_groups_for_user), built once per request, not once per user."""
    groups: dict[int, list[str]] = {}
    for group in backend.list_groups():
        for user in group.users:
            names = groups.setdefault(id(user), [])
            if not names or names[-1] != group.name:
                names.append(group.name)
    return groups


def fast_listings_xml() -> None:
    """
    GetAccountAuthorizationDetails (Filter=[User]) and ListVirtualMFADevices answer a page in AWS's round trip: the
    XML moto's serializer writes, written directly (moto's generic serializer took ~200 ms of CPU per 1000-item page
    in its single-process server). Same paging (fidelity_common.paged), no seeds; other filters use moto's path.
    Must be installed after listings_are_paged and virtual_devices_listed_without_seeds, which it wraps.
    """
    from moto.iam.responses import IamResponse

    paged_details = IamResponse.get_account_authorization_details
    paged_devices = IamResponse.list_virtual_mfa_devices

    def get_account_authorization_details(self: Any) -> Any:
        filters = self._get_param("Filter", [])
        if not Switch.enabled or not filters or set(filters) != {"User"} or not _writes_plain_xml(self):
            return paged_details(self)
        users = list(self.backend.get_account_authorization_details(filters)["users"])
        page, more = paged(self, users)
        groups = groups_by_user(self.backend)
        try:
            members = [user_detail(user, groups.get(id(user), [])) for user in page]
        except Unsupported:
            return paged_details(self)
        result = _list("UserDetailList", members) + "<GroupDetailList/><RoleDetailList/><Policies/>"
        Switch.rendered += 1
        body = _document("GetAccountAuthorizationDetails", result, more)
        return 200, {"Content-Type": CONTENT_TYPE}, body

    def list_virtual_mfa_devices(self: Any) -> Any:
        if not Switch.enabled or not _writes_plain_xml(self):
            return paged_devices(self)
        page, more = virtual_devices_page(self)
        try:
            members = [device_member(d) for d in page]
        except Unsupported:
            return paged_devices(self)
        Switch.rendered += 1
        body = _document("ListVirtualMFADevices", _list("VirtualMFADevices", members), more)
        return 200, {"Content-Type": CONTENT_TYPE}, body

    IamResponse.get_account_authorization_details = get_account_authorization_details  # type: ignore[method-assign]
    IamResponse.list_virtual_mfa_devices = list_virtual_mfa_devices  # type: ignore[method-assign]

