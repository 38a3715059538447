"""The demo district: a synthetic roster, the agencies that ask for records, and one sign-in per persona.

`seed_demo` is deterministic in everything but the secrets: the same seed gives the same schools,
students, guardians and agencies, while passwords and the API token are drawn fresh on every run and
written to `<data_dir>/demo-credentials.json` (CONTRACTS.md). Running it again keeps the same users,
resets their passwords, revokes the previous demo token and creates no duplicates. Casework extends the
returned dict with a simulated year of requests.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
from django.db import transaction
from django.utils import timezone

from brightline.accounts.mfa import mfa_enrol
from brightline.accounts.models import MFA_ROLES, Role, User
from brightline.agencies.models import Agency, ApiToken, Requester
from brightline.agencies.services import agency_verify, api_token_issue, api_token_revoke
from brightline.policy.vocabulary import REQUESTER_KINDS
from brightline.roster.models import Guardian, School, Student
from brightline.roster.services import roster_import
from brightline.roster.synthetic import write_synthetic_bundle

DEMO_STUDENTS = 2000
CREDENTIALS_FILE = "demo-credentials.json"
ROSTER_FOLDER = "demo-oneroster"
API_TOKEN_NAME = "demo"  # noqa: S105 (the token's label, not a secret)

# One organisation for every requester kind of DOMAIN.md: (kind, name, jurisdiction).
AGENCIES: tuple[tuple[str, str, str], ...] = (
    ("municipal_police", "Bright Line Police Department", "City of Bright Line"),
    ("transit_police", "Regional Transit Police", "Regional transit authority"),
    ("state_police", "State Police, Troop H", "Commonwealth"),
    ("federal_law_enforcement", "Federal Investigations Field Office", "United States"),
    ("immigration_enforcement", "Immigration Enforcement Field Office", "United States"),
    ("fusion_center", "Regional Intelligence Center", "Metropolitan region"),
    ("prosecutor", "County District Attorney's Office", "County"),
    ("court", "Juvenile Court, Bright Line Division", "County"),
    ("probation", "Probation Service, Juvenile Division", "County"),
    ("juvenile_justice", "Department of Youth Services", "Commonwealth"),
    (
        "child_protective_services",
        "Department of Children and Families, Bright Line Area Office",
        "Commonwealth",
    ),
    ("public_health", "Bright Line Public Health Commission", "City of Bright Line"),
    ("school_official", "Bright Line Public Schools, Office of Student Services", "District"),
    ("school_district", "Harborside Public Schools", "Neighbouring district"),
    ("military_recruiter", "Armed Forces Recruiting Station", "United States"),
    ("college", "Bright Line Community College", "Commonwealth"),
    ("researcher", "University Center for Education Research", "Commonwealth"),
    ("media", "The Bright Line Herald", "City of Bright Line"),
    ("parent", "Families of the district", "District"),
    ("eligible_student", "Eligible students of the district", "District"),
    ("other", "Other requesters", ""),
)
POLICE = "Bright Line Police Department"


@dataclass(frozen=True)
class Persona:
    username: str
    role: Role
    first_name: str
    last_name: str
    position: str
    agency: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


PERSONAS: tuple[Persona, ...] = (
    Persona("clerk", Role.RECORDS_CLERK, "Rosa", "Delgado", "Student records clerk"),
    Persona("superintendent", Role.SUPERINTENDENT, "Marcus", "Bell", "Superintendent of Schools"),
    Persona("counsel", Role.LEGAL_ADVISOR, "Helen", "Okafor", "General counsel"),
    Persona("principal", Role.PRINCIPAL, "Thomas", "Nguyen", "Principal, Atlantic Avenue High School"),
    Persona("auditor", Role.AUDITOR, "Priya", "Raman", "Internal auditor"),
    Persona("admin", Role.ADMIN, "Sam", "Keller", "System administrator"),
    Persona("detective", Role.REQUESTER, "Dana", "Reyes", "Detective", POLICE),
    Persona("transit", Role.REQUESTER, "Robert", "Alves", "Sergeant", "Regional Transit Police"),
    Persona(
        "dcf",
        Role.REQUESTER,
        "Grace",
        "Mensah",
        "Child protective investigator",
        "Department of Children and Families, Bright Line Area Office",
    ),
    # The parent's and the student's names are taken from the roster records they are linked to.
    Persona("parent", Role.PARENT, "", "", "Parent"),
    Persona("student", Role.ELIGIBLE_STUDENT, "", "", "Student"),
)


def _password() -> str:
    # Letters and digits only, so that a password is easy to paste and never looks like a command option.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def _agencies(verified_by: User) -> dict[str, Agency]:
    known = {kind for kind, _, _ in AGENCIES}
    rows = [
        *AGENCIES,
        *((kind, kind.replace("_", " ").capitalize(), "") for kind in REQUESTER_KINDS if kind not in known),
    ]
    agencies: dict[str, Agency] = {}
    for kind, name, jurisdiction in rows:
        agency, _ = Agency.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "jurisdiction": jurisdiction, "address": f"{name}\nBright Line, MA"},
        )
        if not agency.verified:
            agency = agency_verify(agency=agency, verified_by=verified_by)
        agencies[name] = agency
    return agencies


def _demo_parent_guardian() -> Guardian:
    """A guardian with notice rights of a younger student: the family-portal persona."""
    guardian = (
        Guardian.objects.filter(
            relationships__has_notice_rights=True,
            relationships__student__grade__in=["03", "04", "05"],
            relationships__student__missing_child_flag=False,
        )
        .order_by("sourced_id")
        .first()
    )
    if guardian is None:
        raise RuntimeError("the demo roster has no guardian of a grade 3-5 student")
    return guardian


def _demo_eligible_student(today: date) -> Student:
    for student in Student.objects.filter(grade__in=["10", "11"], missing_child_flag=False).order_by(
        "sis_id"
    ):
        if student.is_eligible_on(today) and student.guardian_relationships.exists():
            return student
    raise RuntimeError("the demo roster has no eligible student in grade 10 or 11")


def _sign_in(persona: Persona, password: str, **names: str) -> User:
    user, _ = User.objects.get_or_create(username=persona.username, defaults={"role": persona.role})
    user.role = persona.role
    user.first_name = names.get("first_name", persona.first_name)
    user.last_name = names.get("last_name", persona.last_name)
    user.position = persona.position
    user.email = f"{persona.username}@demo.brightline.example"
    user.is_active = True
    user.is_staff = user.is_superuser = persona.is_admin
    if "preferred_language" in names:
        user.preferred_language = names["preferred_language"]
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def seed_demo(*, data_dir: Path, seed: int = 2026) -> dict[str, Any]:
    """Seed (or re-seed) the demo district and write its sign-ins to `data_dir`/demo-credentials.json."""
    data_dir.mkdir(parents=True, exist_ok=True)
    bundle = write_synthetic_bundle(data_dir / ROSTER_FOLDER, students=DEMO_STUDENTS, seed=seed)
    roster = roster_import(directory=bundle.directory)

    credentials: list[dict[str, str]] = []
    users: dict[str, User] = {}
    guardian = _demo_parent_guardian()
    student = _demo_eligible_student(timezone.localdate())
    for persona in PERSONAS:
        password = _password()
        names: dict[str, str] = {}
        if persona.role == Role.PARENT:
            names = {
                "first_name": guardian.first_name,
                "last_name": guardian.last_name,
                "preferred_language": guardian.preferred_language,
            }
        elif persona.role == Role.ELIGIBLE_STUDENT:
            names = {"first_name": student.first_name, "last_name": student.last_name}
        users[persona.username] = _sign_in(persona, password, **names)
        entry = {"username": persona.username, "password": password, "role": str(persona.role)}
        if persona.role in MFA_ROLES:
            # Staff and requesters sign in with a second factor; the demo writes the authenticator
            # secret down (`brightline demo --code USERNAME` prints the current code).
            entry["totp_secret"] = mfa_enrol(user=users[persona.username], secret=pyotp.random_base32())
        credentials.append(entry)

    # The principal leads the eligible student's school: their incident pages show that school.
    if student.school is not None:
        from brightline.incidents.services import staff_school_assign

        staff_school_assign(user=users["principal"], school=student.school)

    admin = users["admin"]
    # The demo's reviewers and records office have done the effective policy's training.
    from brightline.training.services import training_seed_completed

    training_seed_completed(
        users=[users[name] for name in ("clerk", "superintendent", "counsel", "admin") if name in users]
    )
    agencies = _agencies(verified_by=admin)
    for persona in PERSONAS:
        if persona.agency:
            Requester.objects.update_or_create(
                user=users[persona.username],
                defaults={
                    "agency": agencies[persona.agency],
                    "position": persona.position,
                    "badge_or_id": "",
                },
            )

    Guardian.objects.filter(user=users["parent"]).exclude(pk=guardian.pk).update(user=None)
    guardian.user = users["parent"]
    guardian.save(update_fields=["user"])
    Student.objects.filter(user=users["student"]).exclude(pk=student.pk).update(user=None)
    student.user = users["student"]
    student.save(update_fields=["user"])

    police = agencies[POLICE]
    for old in ApiToken.objects.filter(agency=police, name=API_TOKEN_NAME, revoked_at__isnull=True):
        api_token_revoke(token=old)
    _, token = api_token_issue(agency=police, name=API_TOKEN_NAME, created_by=admin)
    api_tokens = [{"agency": police.name, "token": token}]

    path = data_dir / CREDENTIALS_FILE
    # Written owner-only: these sign-ins open a district's (made-up) student records.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"users": credentials, "api_tokens": api_tokens}, handle, indent=2)
        handle.write("\n")
    return {
        "users": credentials,
        "api_tokens": api_tokens,
        "credentials_file": path,
        "roster": roster,
        "schools": School.objects.count(),
        "students": Student.objects.count(),
        "guardians": Guardian.objects.count(),
        "agencies": len(agencies),
        "parent_guardian": guardian,
        "eligible_student": student,
    }


def simulate_demo_year(*, requests: int, progress: Callable[[str], None]) -> dict[str, int] | None:
    """Play a year of requests through the real services, once: a district that already has requests
    keeps them (a second run would put the ledger's clock backwards)."""
    from brightline.casework.models import Request
    from brightline.casework.simulation import simulate_year
    from brightline.ledger.services import checkpoint_sign

    if requests <= 0 or Request.objects.exists():
        return None
    tally = simulate_year(end=timezone.now(), requests=requests, progress=progress)
    with transaction.atomic():
        checkpoint_sign(only_if_grown=True)
    return dict(tally)


def load_credentials(*, data_dir: Path) -> dict[str, Any]:
    """The sign-ins an earlier run wrote down (CONTRACTS.md's demo-credentials.json)."""
    with open(data_dir / CREDENTIALS_FILE, encoding="utf-8") as handle:
        credentials: dict[str, Any] = json.load(handle)
    return credentials


def current_code(*, data_dir: Path, username: str) -> str:
    """The current second-factor code of a demo persona, from the secret the demo wrote down."""
    for user in load_credentials(data_dir=data_dir)["users"]:
        if user["username"] == username and user.get("totp_secret"):
            return str(pyotp.TOTP(user["totp_secret"]).now())
    raise LookupError(f"{username!r} is not a demo persona with a second factor")
