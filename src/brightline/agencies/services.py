"""Writes for agencies: creating them, verifying them, issuing and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from brightline.accounts.models import User
from brightline.agencies.models import Agency, ApiToken, TokenScope
from brightline.ledger.services import ledger_append
from brightline.rows import with_related

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
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


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


def api_token_authenticate(plain: str) -> ApiToken | None:
    """The live token matching this bearer value, or None. Marks when it was last used."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    # One plain statement: on every agency call, compiling the ORM's query cost more than running it.
    found = with_related(
        ApiToken, "agency", "m.token_sha256 = %s AND m.revoked_at IS NULL", [token_digest(plain)]
    )
    if not found:
        return None
    token: ApiToken = found[0]
    now = timezone.now()
    # Touch at most once a minute so that a busy agency system does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
