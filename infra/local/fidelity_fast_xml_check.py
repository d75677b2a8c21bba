"""Proof that fidelity_fast_xml.py writes what moto's serializer writes (`python moto_fidelity.py --check-fast-xml`).

In-process: builds one account with a varied population (paths, names and tags with & < > " ' and non-ASCII, an
empty tag value, groups, inline and attached policies, a permissions boundary, a user with nothing, sign-ins,
devices assigned and unassigned, more users than a page), then requests every page of GetAccountAuthorizationDetails
(Filter=[User]) and ListVirtualMFADevices through moto's own WSGI app twice: with the direct writer, and with it
switched off (moto's serializer). Status, headers and body must be identical bytes, the request id aside.
Prints a JSON summary: pages compared, pages the direct writer wrote, users and devices compared, differences.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

ACCOUNT = "123456789012"
AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
ODD = ["&", "<", ">", '"', "'", "é", "ü", "中", "&amp;", "]]>"]
USERS = 1234
DEVICES = 700


def _populate() -> dict[str, int]:
    from moto.iam.models import iam_backends

    backend = iam_backends[ACCOUNT]["aws"]
    paths = ["/", "/eng/", "/ops/ä&ü/", "/a<b>/c'd\"/"]
    groups = [backend.create_group(f"group-{k}{ODD[k]}", "/").name for k in range(6)]
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Sid": "a&b<c>'\"é"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    managed = [backend.create_policy(f"desc {k}", "/", document, f"managed-{k}", []).arn for k in range(3)]
    base = datetime(2026, 1, 2, 3, 4, 5)
    users = []
    for k in range(USERS):
        odd = ODD[k % len(ODD)]
        tags = [{"Key": "email", "Value": f"user{k}@example.com"}, {"Key": f"k{odd}", "Value": f"v {odd} {k}"}]
        if k % 5 == 0:
            tags = []
        if k % 11 == 0:
            tags.append({"Key": "empty", "Value": ""})
        user = backend.create_user("us-east-1", f"user-{k}{odd if k % 3 else ''}", paths[k % len(paths)], tags=tags)
        users.append(user)
        if k % 4 == 1:
            backend.put_user_policy(user.name, f"inline-{k}", document)
        if k % 6 == 2:
            backend.put_user_policy(user.name, f"inline-{k}-b{odd}", document)
        for j in range(k % 4):
            backend.add_user_to_group(groups[(k + j) % len(groups)], user.name)
        for j in range(k % 3):
            backend.attach_user_policy(managed[(k + j) % len(managed)], user.name)
        if k % 9 == 3:
            # moto 5.2 has no PutUserPermissionsBoundary: set what its serializer would read.
            user.permissions_boundary = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": managed[k % 3]}
        if k % 13 == 4:
            user.create_date = base + timedelta(seconds=k, microseconds=123456)
        if k % 7 == 5:
            user.password_last_used = base + timedelta(days=1, seconds=k, microseconds=(k % 2) * 5)
    assigned = 0
    for k in range(DEVICES):
        device = backend.create_virtual_mfa_device(f"device-{k}{ODD[k % len(ODD)]}", "/" if k % 2 else "/mfa-path/")
        if k % 3 != 0:
            user = users[(k * 2 + 1) % USERS]  # some with sign-ins, a permissions boundary, tags
            device.user = user
            device.enable_date = base + timedelta(hours=k, microseconds=k % 2)
            assigned += 1
    return {"users": USERS, "devices": DEVICES, "assigned": assigned}


def _normalized(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    request_id = response.headers.get("x-amzn-requestid", "")
    headers = sorted((k, "ID" if k.lower() == "x-amzn-requestid" else v) for k, v in response.headers.items())
    body = response.get_data().replace(request_id.encode(), b"ID") if request_id else response.get_data()
    return response.status_code, headers, body


def compare_pages() -> dict[str, Any]:
    import moto_fidelity
    from fidelity_fast_xml import Switch
    from moto.moto_server.werkzeug_app import create_backend_app

    moto_fidelity.install()
    population = _populate()
    client = create_backend_app("iam").test_client()

    def call(params: dict[str, str]) -> Any:
        return client.post("/", data={"Version": "2010-05-08", **params}, headers={"Authorization": AUTH})

    requests: list[dict[str, str]] = [
        {"Action": "GetAccountAuthorizationDetails", "Filter.member.1": "User", **({"MaxItems": str(n)} if n else {})}
        for n in (1000, 500, 0, 7)
    ]
    requests += [
        {"Action": "ListVirtualMFADevices", **({"AssignmentStatus": s} if s else {}),
         **({"MaxItems": str(n)} if n else {})}
        for s, n in (("", 0), ("Any", 1000), ("Assigned", 300), ("Unassigned", 50))
    ]
    summary: dict[str, Any] = {"population": population, "pages": 0, "fastPages": 0, "users": 0, "devices": 0}
    summary.update({"identicalBytes": 0, "differences": []})
    for first in requests:
        params = dict(first)
        while True:
            Switch.enabled, before = True, Switch.rendered
            fast = call(params)
            summary["fastPages"] += Switch.rendered - before
            Switch.enabled = False
            slow = call(params)
            Switch.enabled = True
            summary["pages"] += 1
            body = slow.get_data(as_text=True)
            summary["users"] += body.count("<UserName>") if first["Action"] == "GetAccountAuthorizationDetails" else 0
            summary["devices"] += body.count("<SerialNumber>")
            a, b = _normalized(fast), _normalized(slow)
            if a == b:
                summary["identicalBytes"] += 1
            else:
                summary["differences"].append({"request": params, "fast": _excerpt(a, b), "moto": _excerpt(b, a)})
            marker = re.search(r"<Marker>([^<]*)</Marker>", body)
            if slow.status_code != 200 or marker is None:
                break
            params = {**first, "Marker": marker.group(1)}
    return summary


def _excerpt(mine: tuple[int, list[tuple[str, str]], bytes], other: tuple[int, list[tuple[str, str]], bytes]) -> str:
    if mine[:2] != other[:2]:
        return f"{mine[0]} {mine[1]}"
    at = next((i for i, (x, y) in enumerate(zip(mine[2], other[2])) if x != y), min(len(mine[2]), len(other[2])))
    return mine[2][max(0, at - 120) : at + 120].decode(errors="replace")
