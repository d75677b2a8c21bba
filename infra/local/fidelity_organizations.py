"""AWS Organizations and role assumption as the portal meets them (moto_fidelity.py): an organisation with the demo's
fixed account ids (moto gives created accounts random ids), and AssumeRole refused for a role that does not exist.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fidelity_moto_api import json_error, json_post_body


def _auth_is_on() -> bool:
    """moto authorizes requests (stack.ts turns it on after the seed; the seed and benchmarks run with it off)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def assume_role_needs_the_role() -> None:
    """
    AWS refuses sts:AssumeRole of a role that does not exist with AccessDenied 403 ("User: … is not authorized to
    perform: sts:AssumeRole on resource: …"); moto hands out credentials for any ARN. The case that matters: an
    account the member StackSet has not reached has no MfaPortalMember role, and the portal must see it as
    unreachable at AssumeRole, as in AWS. Only while moto's auth is on (the seed sets accounts up with it off).
    """
    from moto.core.responses import ActionResult
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse

    original_assume_role = TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        arn = str(self._get_param("RoleArn") or "")
        match = re.fullmatch(r"arn:aws[\w-]*:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)", arn)
        if _auth_is_on() and match:
            account_id, name = match.groups()
            roles = iam_backends[account_id][self.partition].roles.values()
            if not any(role.name == name for role in roles):
                key = iam_backends[self.current_account][self.partition].access_keys.get(self.get_access_key())
                caller = f"arn:aws:iam::{self.current_account}:user/{key.user_name}" if key is not None and key.user_name else "the caller"
                message = f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {arn}"
                _, headers, body = self.serialized(ActionResult(STSClientError("AccessDenied", message)))
                headers = dict(headers)
                headers["status"] = 403
                return body, headers
        return original_assume_role(self)

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]


def organization_endpoint() -> None:
    """
    POST /moto-api/fidelity/organization {"managementAccountId", "rootId"?, "ous": [{"name", "id"?, "parent"?}],
    "accounts": [{"id", "name", "ou"?, "state"?}]}: an organisation whose accounts have the given ids (moto's
    CreateAccount draws random ones), in OUs (a parent is an earlier OU's name; none: the root), each ACTIVE or
    SUSPENDED (moto's CloseAccount suspends at once, as AWS does after PENDING_CLOSURE). Replaces any organisation
    of that management account. Root and OU ids as given (a seed is then deterministic), else moto's random ones.
    Answers {"rootId", "ous": {name: id}, "accounts": [ids]}.
    """
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse
    from moto.organizations.models import FakeAccount, FakeOrganizationalUnit, organizations_backends

    error = json_error

    def organization(self: Any, request: Any, full_url: str, headers: Any) -> Any:
        body, refused = json_post_body(self, request, headers)
        if body is None:
            return refused
        management = str(body.get("managementAccountId", ""))
        if not re.fullmatch(r"\d{12}", management):
            return error(400, "managementAccountId (12 digits) is required")
        backend = organizations_backends[management]["aws"]
        for account in backend.accounts:
            organizations_backends.master_accounts.pop(account.id, None)
        backend._reset()
        backend.create_organization(region="us-east-1", FeatureSet="ALL")
        org = backend.org
        root = backend.ou[0]
        if body.get("rootId"):
            if not re.fullmatch(r"r-[a-z0-9]{4}", str(body["rootId"])):
                return error(400, "rootId must be r- and 4 lowercase letters or digits")
            org.root_id = root.id = str(body["rootId"])
            backend.get_account_by_id(management).parent_id = root.id
        root_id = root.id
        ous: dict[str, str] = {}
        for ou in body.get("ous", []):
            parent = ous.get(ou.get("parent")) if ou.get("parent") else root_id
            if parent is None:
                return error(400, f"OU {ou.get('name')}: its parent must be listed before it")
            created = FakeOrganizationalUnit(org, Name=ou["name"], ParentId=parent)
            if ou.get("id"):
                if not re.fullmatch(r"ou-[a-z0-9]{4}-[a-z0-9]{8}", str(ou["id"])):
                    return error(400, f"OU {ou['name']}: id must be ou-xxxx-xxxxxxxx")
                created.id = str(ou["id"])
            backend.ou.append(created)
            ous[ou["name"]] = created.id
        ids = []
        for spec in body.get("accounts", []):
            account_id = str(spec.get("id", ""))
            if not re.fullmatch(r"\d{12}", account_id):
                return error(400, f"account id {account_id!r} is not 12 digits")
            state = spec.get("state", "ACTIVE")
            if state not in ("ACTIVE", "SUSPENDED"):
                return error(400, "state must be ACTIVE or SUSPENDED")
            if account_id == management:
                account = backend.get_account_by_id(management)
                account.name = spec.get("name", account.name)
            else:
                account = FakeAccount(org, AccountName=spec.get("name", account_id), Email=f"aws+{account_id}@example.com")
                account.id = account_id
                backend.accounts.append(account)
                organizations_backends.master_accounts[account_id] = (management, "aws")
            if spec.get("ou"):
                if spec["ou"] not in ous:
                    return error(400, f"account {account_id}: unknown OU {spec['ou']}")
                account.parent_id = ous[spec["ou"]]
            account.status = state
            account.state = state
            ids.append(account_id)
        return 200, {"Content-Type": "application/json"}, json.dumps({"rootId": root_id, "ous": ous, "accounts": ids})

    MotoAPIResponse.fidelity_organization = organization  # type: ignore[attr-defined]
    urls.url_paths["{0}/moto-api/fidelity/organization"] = urls.response_instance.fidelity_organization  # type: ignore[attr-defined]
