"""Writes for agencies: creating them, changing them, verifying them, the people who act for them,
and issuing and revoking API tokens. Each write is a ledger entry.

An agency's kind decides how its requests are triaged, so no service changes it: a different kind is a
different agency. Nor does any service move a requester to another agency."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.agencies.models import Agency, ApiToken, Requester, TokenScope
from brightline.errors import Conflict, InvalidInput
from brightline.ledger.services import ledger_append
from brightline.vocabulary import REQUESTER_KINDS

TOKEN_PREFIX = "bl_"  # noqa: S105 (a public marker, not a secret)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, agency: Agency, name: str, scopes: list[str] | None = None, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its plain text, which is never stored and cannot be shown again."""
    chosen = scopes if scopes is not None else [TokenScope.SUBMIT, TokenScope.READ_OWN]
    unknown = set(chosen) - set(TokenScope.values)
    if unknown:
        raise ValueError(f"scopes: unknown scope(s) {sorted(unknown)}")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        agency=agency,
        name=name,
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        token_sha256=token_digest(plain),
        scopes=[str(scope) for scope in chosen],
        created_by=created_by,
    )
    ledger_append(
        event_type="agency.token_issued",
        subject={"agency": agency.pk, "api_token": token.pk},
        record={
            "agency": agency.pk,
            "api_token": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "created_by": created_by.pk if created_by else None,
        },
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User | None = None) -> None:
    """Revoke the token at once; revoking a revoked token changes nothing and writes nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if not revoked:
        return
    ledger_append(
        event_type="agency.token_revoked",
        subject={"agency": token.agency_id, "api_token": token.pk},
        record={
            "agency": token.agency_id,
            "api_token": token.pk,
            "prefix": token.prefix,
            "revoked_by": revoked_by.pk if revoked_by else None,
        },
    )


@transaction.atomic
def agency_verify(*, agency: Agency, verified_by: User) -> Agency:
    """The records office verified who the agency is: its cleared requests may now be released."""
    agency.verified = True
    agency.verified_at = timezone.now()
    agency.verified_by = verified_by
    agency.save(update_fields=["verified", "verified_at", "verified_by"])
    ledger_append(
        event_type="agency.verified",
        subject={"agency": agency.pk},
        record={"agency": agency.pk, "kind": agency.kind, "verified_by": verified_by.pk},
    )
    return agency


AGENCY_EDITABLE_FIELDS = ("name", "jurisdiction", "address")


def _check_name_free(name: str, *, other_than: int | None = None) -> None:
    taken = Agency.objects.filter(name=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise Conflict(f"an agency named {name!r} already exists", field="name")


@transaction.atomic
def agency_create(
    *, name: str, kind: str, created_by: User | None, jurisdiction: str = "", address: str = ""
) -> Agency:
    """A new requester organisation, not yet verified. Its kind is fixed for good: it decides triage."""
    name = name.strip()
    problems = []
    if not name:
        problems.append(("name", "an agency has a name"))
    if kind not in REQUESTER_KINDS:
        problems.append(("kind", f"unknown requester kind {kind!r}"))
    if problems:
        raise InvalidInput(problems)
    _check_name_free(name)
    agency = Agency.objects.create(name=name, kind=kind, jurisdiction=jurisdiction, address=address)
    ledger_append(
        event_type="agency.created",
        subject={"agency": agency.pk},
        record={
            "agency": agency.pk,
            "name": agency.name,
            "kind": agency.kind,
            "jurisdiction": agency.jurisdiction,
            "created_by": created_by.pk if created_by else None,
        },
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    updated_by: User,
    name: str | None = None,
    jurisdiction: str | None = None,
    address: str | None = None,
) -> Agency:
    """Change an agency's name, jurisdiction or address (None leaves one as it is). The kind is not
    here: it decides triage, so an agency of another kind is another agency. The ledger entry names the
    fields that changed and their new values (an organisation's, not a person's)."""
    current = Agency.objects.select_for_update().get(pk=agency.pk)
    wanted = {
        "name": name.strip() if name is not None else None,
        "jurisdiction": jurisdiction,
        "address": address,
    }
    changed = {
        field: value
        for field, value in wanted.items()
        if value is not None and value != getattr(current, field)
    }
    if not changed:
        return current
    if "name" in changed:
        if not changed["name"]:
            raise InvalidInput([("name", "an agency has a name")])
        _check_name_free(changed["name"], other_than=current.pk)
    for field, value in changed.items():
        setattr(current, field, value)
    current.save(update_fields=sorted(changed))
    ledger_append(
        event_type="agency.updated",
        subject={"agency": current.pk},
        record={
            "agency": current.pk,
            "kind": current.kind,
            "fields": sorted(changed),
            "values": changed,
            "updated_by": updated_by.pk,
        },
    )
    return current


@transaction.atomic
def requester_add(
    *, user: User, agency: Agency, position: str, added_by: User, badge_or_id: str = ""
) -> Requester:
    """Let a requester's sign-in act for an agency. Which agency is fixed for good: its kind decides
    how the person's requests are triaged, so someone who moves to another agency gets a new sign-in."""
    if user.role != Role.REQUESTER:
        raise InvalidInput([("user", "only a sign-in with the requester role acts for an agency")])
    if not position.strip():
        raise InvalidInput([("position", "the requester's position is recorded on disclosures")])
    if Requester.objects.filter(user=user).exists():
        raise Conflict("this sign-in already acts for an agency", field="user")
    requester = Requester.objects.create(
        user=user, agency=agency, position=position.strip(), badge_or_id=badge_or_id.strip()
    )
    ledger_append(
        event_type="agency.requester_added",
        subject={"agency": agency.pk, "requester": requester.pk, "user": user.pk},
        record={
            "agency": agency.pk,
            "kind": agency.kind,
            "requester": requester.pk,
            "user": user.pk,
            "username": user.get_username(),
            "position": requester.position,
            "added_by": added_by.pk,
        },
    )
    return requester


@transaction.atomic
def requester_update(
    *, requester: Requester, updated_by: User, position: str | None = None, badge_or_id: str | None = None
) -> Requester:
    """Change a requester's position or badge (None leaves one as it is); never their agency."""
    current = Requester.objects.select_for_update().get(pk=requester.pk)
    wanted = {"position": position, "badge_or_id": badge_or_id}
    changed = {
        field: value.strip()
        for field, value in wanted.items()
        if value is not None and value.strip() != getattr(current, field)
    }
    if not changed:
        return current
    if changed.get("position") == "":
        raise InvalidInput([("position", "the requester's position is recorded on disclosures")])
    for field, value in changed.items():
        setattr(current, field, value)
    current.save(update_fields=sorted(changed))
    ledger_append(
        event_type="agency.requester_updated",
        subject={"agency": current.agency_id, "requester": current.pk, "user": current.user_id},
        record={
            "agency": current.agency_id,
            "requester": current.pk,
            "user": current.user_id,
            "fields": sorted(changed),
            "values": changed,
            "updated_by": updated_by.pk,
        },
    )
    return current


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The live token matching this bearer value, or None. Marks when it was last used."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    # The digest is unique: the first row found is the token (first() would add an ORDER BY).
    found = ApiToken.objects.select_related("agency").filter(
        token_sha256=token_digest(plain), revoked_at__isnull=True
    )
    token = next(iter(found), None)
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so that a busy agency system does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
