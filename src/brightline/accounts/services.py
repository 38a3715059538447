"""Writes for accounts: the staff access log; creating accounts and changing who may do what, each a
ledger entry with its reason. (Second factor: mfa.py; sign-in throttling: lockout.py.)"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from brightline.accounts.models import Role, StaffAccess, User
from brightline.errors import Conflict, InvalidInput, NotAllowed
from brightline.ledger.services import ledger_append


@transaction.atomic
def staff_access_record(
    *, user: User, student: Any, what: str, request: HttpRequest | None = None
) -> StaffAccess | None:
    """Log that a member of district staff looked at a student's records.

    `student` is a roster `Student` or its SIS id. Only staff reads are logged: families and requesters
    read only what is theirs, so for them this records nothing and returns None."""
    if not user.is_district_staff:
        return None
    sis_id = student if isinstance(student, str) else student.sis_id
    return StaffAccess.objects.create(
        user=user,
        user_name=(user.get_full_name() or user.get_username())[:300],
        role=user.role,
        student_sis_id=sis_id,
        what=what[:200],
        path=(request.get_full_path() if request is not None else "")[:500],
        at=timezone.now(),
    )


def staff_accesses_record(
    *, user: User, students: Iterable[Any], what: str, request: HttpRequest | None = None
) -> int:
    """Log that a member of district staff was shown these students in a list (a page of requests, the
    review queue, roster search results, match candidates): one row per student, each once, written in
    one statement. `students` are roster `Student`s or SIS ids; None is skipped. Families and requesters
    are not logged (nothing is written, 0 is returned)."""
    if not user.is_district_staff:
        return 0
    sis_ids = dict.fromkeys(
        student if isinstance(student, str) else student.sis_id for student in students if student is not None
    )
    if not sis_ids:
        return 0
    user_name = (user.get_full_name() or user.get_username())[:300]
    path = (request.get_full_path() if request is not None else "")[:500]
    at = timezone.now()
    rows = [
        StaffAccess(
            user=user,
            user_name=user_name,
            role=user.role,
            student_sis_id=sis_id,
            what=what[:200],
            path=path,
            at=at,
        )
        for sis_id in sis_ids
    ]
    StaffAccess.objects.bulk_create(rows)
    return len(rows)


# --- Accounts and who may do what -----------------------------------------------------------------
#
# A role decides what a person sees and does; is_active whether they sign in at all; is_staff and
# is_superuser whether they reach the Django admin and what they may do there; groups and permissions
# grant the rest (a district translator's `notices.add_catalogreview`). Changing any of them is an
# `account.role_changed` entry naming each change, who made it and why.

ACCESS_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")
PROFILE_FIELDS = ("username", "first_name", "last_name", "email", "position", "preferred_language")
# Kept in the ledger only as a SHA-256: the ledger is never erased, a person's name and address may be.
PERSONAL_FIELDS = frozenset({"first_name", "last_name", "email"})


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput([("reason", "say why: the reason is kept in the ledger with the change")])
    return reason.strip()


def _require_superuser(actor: User, what: str) -> None:
    if not (actor.is_active and actor.is_superuser):
        raise NotAllowed(f"only a district administrator with full rights {what}")


def _hashed(value: object) -> str:
    return "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()


def _permission_names(permissions: Iterable[Permission]) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def _actor(actor: User) -> dict[str, object]:
    return {"by": actor.pk, "by_name": actor.get_username()}


@transaction.atomic
def account_create(
    *,
    username: str,
    role: str,
    created_by: User,
    reason: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    position: str = "",
    preferred_language: str = "en",
) -> User:
    """A new sign-in with this role, neither admin staff nor superuser, and a random password no one is
    told: the person sets their own through "Forgot your password?" at the address given. Staff and
    requesters then enrol a second factor at their first sign-in."""
    _require_superuser(created_by, "creates accounts")
    reason = _require_reason(reason)
    if role not in Role.values:
        raise InvalidInput([("role", f"unknown role {role!r}")])
    if User.objects.filter(username=username).exists():
        raise Conflict(f"the username {username!r} is taken", field="username")
    user = User.objects.create_user(
        username=username,
        password=secrets.token_urlsafe(32),
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        position=position,
        preferred_language=preferred_language,
    )
    ledger_append(
        event_type="account.created",
        subject={"user": user.pk},
        record={
            "user": user.pk,
            "username": user.get_username(),
            "role": user.role,
            "district_staff": user.is_district_staff,
            "reason": reason,
            **_actor(created_by),
        },
    )
    return user


@transaction.atomic
def account_access_change(
    *,
    user: User,
    changed_by: User,
    reason: str,
    role: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    groups: Iterable[Group] | None = None,
    user_permissions: Iterable[Permission] | None = None,
) -> User:
    """Change a person's role, whether they may sign in, their admin rights, groups or permissions
    (None leaves one as it is). One `account.role_changed` entry holds every change, from and to,
    with who made it and why; a call that changes nothing writes nothing."""
    _require_superuser(changed_by, "changes who may do what")
    reason = _require_reason(reason)
    if role is not None and role not in Role.values:
        raise InvalidInput([("role", f"unknown role {role!r}")])
    current = User.objects.select_for_update().get(pk=user.pk)
    changes: dict[str, dict[str, object]] = {}
    scalars = {"role": role, "is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    for field, value in scalars.items():
        if value is not None and value != getattr(current, field):
            changes[field] = {"from": getattr(current, field), "to": value}
            setattr(current, field, value)
    if changes:
        current.save(update_fields=sorted(changes))
    if groups is not None:
        before = sorted(current.groups.values_list("name", flat=True))
        wanted = list(groups)
        if sorted(group.name for group in wanted) != before:
            current.groups.set(wanted)
            changes["groups"] = {"from": before, "to": sorted(group.name for group in wanted)}
    if user_permissions is not None:
        held = _permission_names(current.user_permissions.select_related("content_type"))
        wanted_permissions = list(user_permissions)
        if _permission_names(wanted_permissions) != held:
            current.user_permissions.set(wanted_permissions)
            changes["user_permissions"] = {"from": held, "to": _permission_names(wanted_permissions)}
    if not changes:
        return current
    ledger_append(
        event_type="account.role_changed",
        subject={"user": current.pk},
        record={
            "user": current.pk,
            "username": current.get_username(),
            "fields": sorted(changes),
            "changes": changes,
            "reason": reason,
            **_actor(changed_by),
        },
    )
    user.refresh_from_db()
    return current


@transaction.atomic
def account_profile_update(
    *,
    user: User,
    updated_by: User,
    reason: str,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    position: str | None = None,
    preferred_language: str | None = None,
) -> User:
    """Change a person's username, name, email address, position or language (None leaves one as it
    is). The email address is where a password reset goes, so changing it is a ledger entry like a
    role: `account.updated` names the fields, with the new values of names and address as SHA-256."""
    _require_superuser(updated_by, "changes other people's accounts")
    reason = _require_reason(reason)
    current = User.objects.select_for_update().get(pk=user.pk)
    wanted = {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "position": position,
        "preferred_language": preferred_language,
    }
    changed = {f: v for f, v in wanted.items() if v is not None and v != getattr(current, f)}
    if not changed:
        return current
    if (
        "username" in changed
        and User.objects.filter(username=changed["username"]).exclude(pk=current.pk).exists()
    ):
        raise Conflict(f"the username {changed['username']!r} is taken", field="username")
    for field, value in changed.items():
        setattr(current, field, value)
    current.save(update_fields=sorted(changed))
    ledger_append(
        event_type="account.updated",
        subject={"user": current.pk},
        record={
            "user": current.pk,
            "username": current.get_username(),
            "fields": sorted(changed),
            "values": {f: _hashed(v) if f in PERSONAL_FIELDS else v for f, v in changed.items()},
            "reason": reason,
            **_actor(updated_by),
        },
    )
    user.refresh_from_db()
    return current


@transaction.atomic
def account_group_save(
    *, group: Group | None, name: str, permissions: Iterable[Permission], changed_by: User, reason: str
) -> Group:
    """Create a group (`group=None`) or change its name and permissions: everyone in it gains or loses
    them, so it is an `account.group_changed` entry like a change to one person."""
    _require_superuser(changed_by, "changes groups")
    reason = _require_reason(reason)
    name = name.strip()
    if not name:
        raise InvalidInput([("name", "a group has a name")])
    taken = Group.objects.filter(name=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise Conflict(f"a group named {name!r} exists", field="name")
    wanted = list(permissions)
    if group is None:
        current = Group.objects.create(name=name)
        before: dict[str, object] = {"name": None, "permissions": []}
    else:
        current = Group.objects.select_for_update().get(pk=group.pk)
        before = {"name": current.name, "permissions": _permission_names(current.permissions.all())}
    after = {"name": name, "permissions": _permission_names(wanted)}
    if before == after:
        return current
    if current.name != name:
        current.name = name
        current.save(update_fields=["name"])
    current.permissions.set(wanted)
    ledger_append(
        event_type="account.group_changed",
        subject={"group": current.pk},
        record={
            "group": current.pk,
            "from": before,
            "to": after,
            "members": sorted(current.user_set.values_list("pk", flat=True)),
            "reason": reason,
            **_actor(changed_by),
        },
    )
    return current
