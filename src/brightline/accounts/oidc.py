"""Staff sign-in through the district's OpenID Connect provider (Google Workspace, Entra ID, ClassLink…).

Authlib's Django client does the protocol: the authorization code flow with PKCE, `state` kept in the
session and spent once, a `nonce` in the ID token, and the ID token's signature (the provider's published
keys), issuer, audience and expiry checked (`oidc_claims_from_callback`). What is ours is who the person is
here (`oidc_sign_in`):

- an account is found by the provider's issuer and subject (`OidcIdentity`), never by the e-mail address
  or the username: a requester's or a family's account can never be reached through the provider;
- the role comes from the provider's groups claim through the table the administrator edits
  (`OidcGroupRole`, each change a ledger entry); a person whose groups give no role any more is made
  inactive at that sign-in, one whose groups give two roles is refused until the table says which;
- the provider's second factor counts when its `amr`/`acr` says so (`OIDC_MFA_AMR`, `OIDC_MFA_ACR`);
  otherwise Bright Line's own code is asked, as after a password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from joserfc.errors import JoseError

from brightline.accounts.models import STAFF_ROLES, OidcGroupRole, OidcIdentity, Role, User
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.services import ledger_append

PROVIDER_NAME = "district"
# What the ledger names as the one who changed an account at sign-in: the provider's groups did.
PROVIDER_ACTOR = "identity provider groups"


class SignInRefused(Exception):
    """The provider's answer did not sign anyone in. `reason` is for the log and the ledger, never the
    page: the page says only that sign-in through the provider failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def oidc_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scope: str) -> Any:
    """Authlib's client for this configuration (its provider metadata and keys are fetched once)."""
    oauth = OAuth()
    return oauth.register(
        name=PROVIDER_NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": 10},
    )


def oidc_client() -> Any:
    if not oidc_enabled():
        raise NotAllowed("sign-in through the district's provider is not configured")
    return _client(
        settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPE
    )


def oidc_authorize_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider; Authlib keeps state, nonce and the PKCE verifier in the session."""
    response: HttpResponse = oidc_client().authorize_redirect(request, redirect_uri)
    return response


def oidc_claims_from_callback(request: HttpRequest) -> dict[str, Any]:
    """The ID token's claims, once Authlib has checked the state (this session's, spent now), exchanged
    the code, and checked the token's signature, issuer, audience, expiry and nonce. Anything else is
    `SignInRefused`."""
    try:
        token = oidc_client().authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [settings.OIDC_ISSUER]},
                # Authlib checks the audience only through `azp`: an ID token for another application
                # that names Bright Line as its authorized party would pass. Bright Line must be in `aud`.
                "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
                "sub": {"essential": True},
                "exp": {"essential": True},
            },
        )
    except (OAuthError, JoseError) as error:
        raise SignInRefused(f"{type(error).__name__}: {error}") from None
    except OSError as error:  # the provider could not be reached (requests' errors are OSErrors)
        raise SignInRefused(f"provider unreachable: {error}") from None
    claims = token.get("userinfo") if isinstance(token, Mapping) else None
    if not claims:
        raise SignInRefused("the provider's answer held no ID token")
    return dict(claims)


def second_factor_shown(claims: Mapping[str, Any]) -> bool:
    """Whether the provider says it asked for a second factor (`amr` RFC 8176, or an `acr` the district
    names)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if any(str(method) in settings.OIDC_MFA_AMR for method in amr):
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in settings.OIDC_MFA_ACR


def _groups(claims: Mapping[str, Any]) -> list[str]:
    raw = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(raw, str):
        raw = [raw]
    return sorted({str(group) for group in raw if isinstance(group, str | int)})


def role_for_groups(groups: list[str]) -> str | None:
    """The staff role the table gives these groups; None for none. Two different roles: `SignInRefused`
    (the administrator decides in the table, Bright Line does not pick the stronger one)."""
    roles = set(OidcGroupRole.objects.filter(group__in=groups).values_list("role", flat=True))
    roles &= {role.value for role in STAFF_ROLES}
    if len(roles) > 1:
        raise SignInRefused(f"the groups {groups} give more than one role: {sorted(roles)}")
    return roles.pop() if roles else None


def _free_username(claims: Mapping[str, Any]) -> str:
    """A username for a new account: the provider's preferred username when free, else with a suffix.
    Only a label: no sign-in ever matches on it."""
    wanted = str(claims.get("preferred_username") or claims.get("email") or "staff").split("@")[0]
    base = re.sub(r"[^\w.+-]", "", wanted)[:120] or "staff"
    candidate = base
    while User.objects.filter(username=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


def _fingerprint(value: object) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()


@dataclass(frozen=True)
class SignInResult:
    user: User
    second_factor_shown: bool
    created: bool


@transaction.atomic
def oidc_sign_in(*, claims: Mapping[str, Any]) -> SignInResult:
    """The staff account behind these checked claims, created or brought up to date with the groups.

    Refused (`SignInRefused`, and nothing changes but a stopped account): a different issuer, no role
    from the groups (an existing account is made inactive, an `account.role_changed` entry), two roles,
    an account an administrator made inactive, an identity linked to a non-staff account."""
    issuer, subject = str(claims.get("iss") or ""), str(claims.get("sub") or "")
    if issuer != settings.OIDC_ISSUER or not subject:
        raise SignInRefused("the claims are not from the configured issuer")
    groups = _groups(claims)
    role = role_for_groups(groups)
    identity = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    now = timezone.now()
    if identity is None:
        if role is None:
            raise SignInRefused("no group of this person gives a role")
        user = User.objects.create_user(
            username=_free_username(claims),
            email=str(claims.get("email") or "")[:254],
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
            role=role,
        )
        user.set_unusable_password()  # signs in through the provider only
        user.save(update_fields=["password"])
        OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject, last_sign_in_at=now)
        ledger_append(
            event_type="account.created",
            subject={"user": user.pk},
            record={
                "user": user.pk,
                "username": user.get_username(),
                "role": role,
                "district_staff": True,
                "through": "identity provider",
                "issuer": issuer,
                "subject": _fingerprint(subject),
                "groups": groups,
                "by": None,
                "by_name": PROVIDER_ACTOR,
            },
        )
        return SignInResult(user=user, second_factor_shown=second_factor_shown(claims), created=True)

    user = User.objects.select_for_update().get(pk=identity.user_id)
    if user.role not in STAFF_ROLES:
        # Never happens through Bright Line (only staff accounts get an identity); refuse all the same.
        raise SignInRefused("the identity is linked to an account that is not district staff")
    changes: dict[str, dict[str, object]] = {}
    if role is None:
        if user.is_active:
            changes["is_active"] = {"from": True, "to": False}
            user.is_active = False
            identity.stopped_by_groups = True
    else:
        if not user.is_active:
            if not identity.stopped_by_groups:
                raise SignInRefused("an administrator made this account inactive")
            changes["is_active"] = {"from": False, "to": True}
            user.is_active = True
            identity.stopped_by_groups = False
        if user.role != role:
            changes["role"] = {"from": user.role, "to": role}
            user.role = role
    if changes:
        user.save(update_fields=sorted(changes))
        ledger_append(
            event_type="account.role_changed",
            subject={"user": user.pk},
            record={
                "user": user.pk,
                "username": user.get_username(),
                "fields": sorted(changes),
                "changes": changes,
                "reason": f"groups at the identity provider at sign-in: {groups}",
                "by": None,
                "by_name": PROVIDER_ACTOR,
            },
        )
    identity.last_sign_in_at = now
    identity.save(update_fields=["last_sign_in_at", "stopped_by_groups"])
    # With no role the account is now inactive: the caller refuses the sign-in, and the stop is kept.
    return SignInResult(user=user, second_factor_shown=second_factor_shown(claims), created=False)


# --- The table the administrator edits: groups → roles ----------------------------------------------


def _require_admin(actor: User) -> None:
    # The table grants staff roles to whoever is in a group. A district that moves to the provider has
    # administrators made by this very table (role admin, no superuser, no password), so the district
    # administrator role edits it, on /administration/sign-in-groups/ (accounts/README.md, "Who edits the
    # groups → roles table"); a superuser too. Every change is a ledger entry with its reason.
    if not (actor.is_active and (actor.is_superuser or actor.role == Role.ADMIN)):
        raise NotAllowed("only a district administrator changes which groups give which roles")


def _check_an_administrator_can_sign_in() -> None:
    """Refuse a change that would leave no way for any administrator to sign in: with the provider in
    use, at least one row must give the administrator role, unless an active administrator (or superuser)
    can still sign in with a password. Called inside the change's transaction, so a refusal undoes it."""
    if not settings.OIDC_ISSUER or OidcGroupRole.objects.filter(role=Role.ADMIN).exists():
        return
    with_password = [
        user
        for user in User.objects.filter(is_active=True).filter(
            models.Q(role=Role.ADMIN) | models.Q(is_superuser=True)
        )
        if user.has_usable_password()
    ]
    if not with_password:
        raise Conflict(
            "no group would give the administrator role and no administrator has a password: nobody could"
            " manage Bright Line any more; keep a group that gives the administrator role",
            field="role",
        )


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput([("reason", "say why: the reason is kept in the ledger with the change")])
    return reason.strip()


@transaction.atomic
def oidc_group_role_save(
    *, mapping: OidcGroupRole | None, group: str, role: str, changed_by: User, reason: str
) -> OidcGroupRole:
    """Add a row (`mapping=None`) or change one: members of `group` sign in with `role` from their next
    sign-in. An `account.sso_group_role_changed` entry holds the row before and after, who and why."""
    _require_admin(changed_by)
    reason = _require_reason(reason)
    group = group.strip()
    if not group:
        raise InvalidInput([("group", "name the group as the provider sends it")])
    if role not in {r.value for r in STAFF_ROLES}:
        raise InvalidInput([("role", f"a staff role; got {role!r}")])
    taken = OidcGroupRole.objects.filter(group=group)
    if mapping is not None:
        taken = taken.exclude(pk=mapping.pk)
    if taken.exists():
        raise Conflict(f"the group {group!r} already has a row", field="group")
    if mapping is None:
        current = OidcGroupRole(group=group, role=role)
        before: dict[str, object] | None = None
    else:
        current = OidcGroupRole.objects.select_for_update().get(pk=mapping.pk)
        before = {"group": current.group, "role": current.role}
        if before == {"group": group, "role": role}:
            return current
        current.group, current.role = group, role
    current.save()
    _check_an_administrator_can_sign_in()
    ledger_append(
        event_type="account.sso_group_role_changed",
        subject={"sso_group_role": current.pk},
        record={
            "row": current.pk,
            "from": before,
            "to": {"group": group, "role": role},
            "reason": reason,
            "by": changed_by.pk,
            "by_name": changed_by.get_username(),
        },
    )
    return current


@transaction.atomic
def oidc_group_role_remove(*, mapping: OidcGroupRole, changed_by: User, reason: str) -> None:
    """Remove a row: the group gives no role from its members' next sign-in (a ledger entry)."""
    _require_admin(changed_by)
    reason = _require_reason(reason)
    current = OidcGroupRole.objects.select_for_update().get(pk=mapping.pk)
    before = {"group": current.group, "role": current.role}
    row = current.pk
    current.delete()
    _check_an_administrator_can_sign_in()
    ledger_append(
        event_type="account.sso_group_role_changed",
        subject={"sso_group_role": row},
        record={
            "row": row,
            "from": before,
            "to": None,
            "reason": reason,
            "by": changed_by.pk,
            "by_name": changed_by.get_username(),
        },
    )
