"""The demo district: a synthetic roster, the agencies that ask for records, and one sign-in per persona.

`seed_demo` is deterministic in everything but the secrets: the same seed gives the same schools,
students, guardians and agencies, while passwords and the API token are drawn fresh on every run and
written to `<data_dir>/demo-credentials.json` (CONTRACTS.md). Running it again keeps the same users,
resets their passwords, revokes the previous demo token and creates no duplicates. `simulate_demo_year`
then plays a year of requests through the real services (`simulation.py`).

The year starts under the first policy Bright Line shipped (2026.1) and adopts version 2026.2 through
the product's own lifecycle part way through: drafted from the shipped default, open for public comment,
adopted by the school committee, trained on, made effective late in the year (see README.md, "The
demo district's year").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from brightline.accounts.mfa import mfa_enrol
from brightline.accounts.models import MFA_ROLES, Role, User
from brightline.agencies.models import Agency, ApiToken, Requester
from brightline.agencies.services import agency_verify, api_token_issue, api_token_revoke
from brightline.casework.models import Request
from brightline.demo.simulation import simulate_year
from brightline.demo.synthetic import write_synthetic_bundle
from brightline.incidents.services import staff_school_assign
from brightline.ledger.models import LedgerEntry
from brightline.ledger.services import checkpoint_sign
from brightline.policy import engine
from brightline.policy.models import Comment, CommentStatus, Version, VersionStatus
from brightline.policy.services import (
    policy_comment_moderate,
    policy_comment_submit,
    policy_comment_theme_write,
    policy_comment_verify,
    policy_default_seed,
    policy_draft_update,
    policy_version_adopt,
    policy_version_make_effective,
    policy_version_open_comment,
)
from brightline.roster.models import Guardian, School, Student
from brightline.roster.services import roster_import
from brightline.training.models import TrainingCompletion, TrainingModule
from brightline.training.services import training_complete, training_module_create, training_seed_completed
from brightline.vocabulary import REQUESTER_KINDS

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
        staff_school_assign(user=users["principal"], school=student.school)
        # Their title names the school they lead, not the one the persona list was written with.
        principal = users["principal"]
        principal.position = f"Principal, {student.school.name}"
        principal.save(update_fields=["position"])

    admin = users["admin"]
    # The demo's reviewers, records office and principal (who determines emergencies for the students of
    # their school) have done the effective policy's training.
    training_seed_completed(
        users=[
            users[name]
            for name in ("clerk", "superintendent", "counsel", "admin", "principal")
            if name in users
        ]
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
    keeps them (a second run would put the ledger's clock backwards). A fresh district starts the year
    under the first policy Bright Line shipped and adopts version 2026.2 during it."""
    if requests <= 0 or Request.objects.exists():
        return None
    end = timezone.now()
    start = end - dt.timedelta(days=365)
    acts = policy_year(start=start) if start_under_first_policy(installed_at=start) else []
    tally = simulate_year(end=end, requests=requests, progress=progress, acts=acts)
    with transaction.atomic():
        checkpoint_sign(only_if_grown=True)
    return dict(tally)


# ---------------------------------------------------------------------------------------------------
# The demo district's policy: version 1 is the first policy Bright Line shipped (2026.1); version 2, the
# default shipped now (2026.2), is adopted during the year through the policy lifecycle.
# ---------------------------------------------------------------------------------------------------

FIRST_POLICY_FILE = engine.DEFAULT_DIR / "history" / "2026.1.cedar"
FIRST_POLICY_LABEL = "2026.1"
FIRST_POLICY_SUMMARY = (
    "The first policy Bright Line shipped (2026.1), as the district installed it: refusals first (civil "
    "immigration enforcement, the regional intelligence center, immigration data, school discipline to "
    "police without legal process or an emergency, abuse files outside child protective services), then "
    "legal process reviewed by counsel, then releases without review (emergencies, abuse investigations, "
    "foster care, school police records, directory information, consent, school officials, parents), then "
    "review by the superintendent."
)
SECOND_POLICY_LABEL = "2026.2"
SECOND_POLICY_CHANGES = (
    "What changes from 2026.1. A year of requests, and requesters who probed the rules, showed where the "
    "first policy leaked; these rules change. Emergencies (rule R1): an emergency counts only when an "
    "emergency responder (police, transit or state police, child protective services, public health) "
    "states it, and nothing leaves under it before a district official (the records office, the "
    "student's principal or an administrator) finds the threat articulable and significant; an emergency "
    "that ends before the release sends its records back to review. Onward sharing (rule F1): records "
    "meant to reach immigration enforcement through another agency are refused as an immigration request "
    "is. Federal agencies (rule V4): every federal request is reviewed by counsel. Bulk requests (rule B): "
    "nothing is released without review from a request naming more than 10 students, except to school "
    "officials, other districts, parents and eligible students. Sealed records (rule L): a non-disclosure "
    "order on any legal-review process, a judicial warrant included, seals the entry from the family. "
    "Consent to police (rules F4 and R6): a parent's consent covering discipline records brings them to the "
    "superintendent instead of a refusal. How a student was identified is taken from what the requester "
    "sent, never from what it says."
)
SECOND_POLICY_TRAINING = (
    Path(__file__).resolve().parent.parent / "training" / "default" / "module-2026.2.json"
)
MINUTES_URL = "https://school-committee.brightline.example/minutes/{day}"
# Where the commenters' confirmation links point: `make run`'s server.
COMMENT_CONFIRM_URL = "http://127.0.0.1:8000/policy/comments/confirm/{token}"
_CONFIRM_TOKEN = re.compile(r"/policy/comments/confirm/([A-Za-z0-9_-]+)")
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@dataclass(frozen=True)
class PublicComment:
    """A comment the community sends while version 2 is open: `day` after the period opens."""

    day: int
    hour: float
    name: str
    email: str
    address: str  # the address it comes from (documentation ranges), for the comment limits
    body: str
    publish: bool | None  # None: the commenter never follows the confirmation link
    reason: str = ""


PUBLIC_COMMENTS: tuple[PublicComment, ...] = (
    PublicComment(
        2,
        10.5,
        "Bright Line Civil Rights Alliance",
        "policy@civilrights-alliance.example",
        "192.0.2.10",
        "The Alliance supports extending rule F1 to onward sharing. A police request whose records would "
        "reach immigration enforcement through a joint task force is an immigration request, and the "
        "district should refuse it as one, emergency or not. We ask the committee to publish every year "
        "how many requests rule F1 refused, and to keep immigration records out of every answer.",
        True,
    ),
    PublicComment(
        6,
        20.25,
        "Citywide Parent Council",
        "council@parents-brightline.example",
        "198.51.100.7",
        "Parents have asked for years that no list of students leave the district in one request. Rule B "
        "does that: more than 10 students and the superintendent reviews every item, directory information "
        "included. We would set the line at 5 students, and ask that recruiters' lists of contact "
        "information always go to counsel.",
        True,
    ),
    PublicComment(
        11,
        13.0,
        "Special Education Parent Advisory Council",
        "sepac@parents-brightline.example",
        "198.51.100.23",
        "We welcome the district's own determination before anything leaves under rule R1. The call back "
        "should be made by someone who knows the child, the principal when the school is open, and health "
        "records should never leave on an officer's word alone. Families should be told the same day when "
        "contact or health records were shared in an emergency.",
        True,
    ),
    PublicComment(
        17,
        9.75,
        "Harborside Immigrant Family Network",
        "board@immigrant-families.example",
        "203.0.113.41",
        "Sending every federal request to counsel (rule V4) closes the door through which a federal agency "
        "could have directory information or school police reports without anyone reading the request. "
        "Please keep directory information of students who opted out out of every federal answer.",
        True,
    ),
    PublicComment(
        21,
        22.5,
        "",
        "neighbour@mail.example",
        "203.0.113.77",
        "Rule R4 lets the school police unit hand its reports to the police. My neighbour's son, who lives "
        "at 14 Harbor Street and is in grade 8, was questioned at school last spring and nobody told his "
        "mother. Please change rule R4.",
        False,
        "The comment names a student and his home address: the district does not publish personal "
        "information about a student. Its point about rule R4 is passed to the committee.",
    ),
    PublicComment(
        26,
        18.0,
        "Concerned resident",
        "resident@mail.example",
        "192.0.2.99",
        "Rule R1 slows down the police when a child is in danger: a determination takes time nobody has.",
        None,
    ),
)


def start_under_first_policy(*, installed_at: dt.datetime) -> bool:
    """A step of the demo only, never of the product: give a fresh district the first policy Bright Line
    shipped, so that its year can adopt the current default through the lifecycle.

    The policy migration stores whatever default is shipped when it runs as version 1 (2026.2 now). When
    that row was never used (no request, no other version, no comment, no ledger entry naming it or its
    training) its text, label, sha256 and summary become 2026.1's, dated to when the demo district
    installed Bright Line, a year ago; so do its training module (the shipped `training/default/
    module.json`, written for 2026.1) and the completions the demo seeded, none of which has a ledger
    entry. Returns whether it did."""
    with transaction.atomic():
        first = Version.objects.select_for_update().filter(number=1).first()
        if (
            first is None
            or first.status != VersionStatus.EFFECTIVE
            or first.effective_from is not None
            or first.sha256 != engine.default_policy().sha256
            or first.label == FIRST_POLICY_LABEL
        ):
            return False
        modules = list(TrainingModule.objects.filter(version=first).values_list("pk", flat=True))
        if (
            Request.objects.exists()
            or Version.objects.filter(number__gt=1).exists()
            or first.comments.exists()
            or LedgerEntry.objects.filter(subject__policy_version=first.pk).exists()
            or LedgerEntry.objects.filter(subject__training_module__in=modules).exists()
        ):
            return False
        text = FIRST_POLICY_FILE.read_text(encoding="utf-8")
        first.label = FIRST_POLICY_LABEL
        first.policy_id = "default"
        first.text = text
        first.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        first.summary = FIRST_POLICY_SUMMARY
        first.created_at = installed_at
        first.save()
        TrainingModule.objects.filter(pk__in=modules).update(created_at=installed_at)
        # The seeded completions were of this module, which teaches 2026.1: they count for its text.
        TrainingCompletion.objects.filter(module_id__in=modules).update(
            completed_at=installed_at, policy_sha256=first.sha256
        )
    return True


def _comment_submit(version: Version, comment: PublicComment) -> tuple[Comment, str | None]:
    """Send a comment as the page does; return it with the token of its confirmation link, read from the
    commenter's mail. The demo's commenters receive their mail in memory whatever the district's mail
    settings. No token when the caller holds a transaction open (a test): the mail leaves on commit."""
    with override_settings(EMAIL_BACKEND=LOCMEM_EMAIL):
        before = len(getattr(mail, "outbox", []))
        submitted = policy_comment_submit(
            version_id=version.pk,
            body=comment.body,
            email=comment.email,
            name=comment.name,
            ip=comment.address,
            verify_url=COMMENT_CONFIRM_URL,
        )
        sent = list(getattr(mail, "outbox", [])[before:])
    for message in sent:
        found = _CONFIRM_TOKEN.search(message.body)
        if comment.email in message.to and found:
            return submitted, found.group(1)
    if transaction.get_connection().in_atomic_block:
        return submitted, None
    raise RuntimeError(f"no confirmation link reached {comment.email}")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _today() -> str:
    return f"{timezone.localdate():%B %-d, %Y}"


def _second_version() -> Version:
    return Version.objects.get(label=SECOND_POLICY_LABEL)


# The district's response to the published comments, theme by theme (indexes into PUBLIC_COMMENTS).
COMMENT_RESPONSES: tuple[tuple[str, tuple[int, ...], str], ...] = (
    (
        "Immigration enforcement and onward sharing (rules F1 and V4)",
        (0, 3),
        "No change: version 2026.2 already refuses a request whose records would reach immigration "
        "enforcement through another agency (F1) and sends every federal request to counsel (V4), directory "
        "information included. The yearly count the Alliance asks for is published: the transparency "
        "reports count the requests refused because of onward sharing and for immigration, each quarter.",
    ),
    (
        "Lists of students (rule B)",
        (1,),
        "No change: the line stays at more than 10 students, the number the draft policy of 2020 set and "
        "families' groups agreed to then; every item of a larger request is reviewed. Recruiters' requests "
        "for contact information already go to counsel (rule V3).",
    ),
    (
        "Emergencies (rule R1)",
        (2,),
        "No change to the text: the determination may already be made by the student's principal, and "
        "families are told after every emergency release. Health records leave only after the district's "
        "own determination, never on the requester's word.",
    ),
)


def policy_year(*, start: dt.datetime) -> list[tuple[dt.datetime, Callable[[], str]]]:
    """Version 2026.2's way through the lifecycle during the demo year starting at `start`, as acts at
    their moments (district time): recorded from the shipped default about eight months in, a month of
    public comment, the school committee's vote, training, and effect from a Monday about two months
    before the year ends. Each act calls the services as the person who does it."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first_day = timezone.localtime(start, zone).date()

    def day(number: int) -> date:
        return first_day + dt.timedelta(days=number)

    def at(number: int, hour: float) -> dt.datetime:
        return dt.datetime.combine(day(number), dt.time(0), tzinfo=zone) + dt.timedelta(hours=hour)

    drafted, opens, period = 240, 247, 30
    closes = opens + period
    meeting = closes + 9
    # Effective from the first Monday at least two weeks after the vote, at the start of the day.
    effective_day = day(meeting + 14)
    effective_day += dt.timedelta(days=(7 - effective_day.weekday()) % 7)
    effective_from = dt.datetime.combine(effective_day, dt.time(0), tzinfo=zone)

    def record_default() -> str:
        version = policy_default_seed(recorded_by=_user("admin"))
        if version is None:
            raise RuntimeError("the shipped default policy is already recorded")
        return f"{_today()}: the administrator records the shipped default {version.label} as draft version {version.number}"

    def write_summary() -> str:
        version = _second_version()
        policy_draft_update(
            version_id=version.pk,
            author=_user("counsel"),
            label=version.label,
            text=version.text,
            summary=SECOND_POLICY_CHANGES,
            test_suite=version.test_suite,
        )
        return f"{_today()}: counsel writes what {version.label} changes"

    def open_comment() -> str:
        version = policy_version_open_comment(
            version_id=_second_version().pk,
            opened_by=_user("superintendent"),
            opens_on=day(opens),
            closes_on=day(closes),
        )
        return f"{_today()}: {version.label} opens for public comment until {day(closes):%B %-d, %Y}"

    tokens: dict[int, str] = {}
    comments: dict[int, int] = {}

    def submit(index: int) -> Callable[[], str]:
        def act() -> str:
            comment, token = _comment_submit(_second_version(), PUBLIC_COMMENTS[index])
            comments[index] = comment.pk
            if token is not None:
                tokens[index] = token
            return f"{_today()}: a comment from {comment.display_name}"

        return act

    def confirm(index: int) -> Callable[[], str]:
        def act() -> str:
            if index not in tokens:
                return f"{_today()}: a comment waits for its confirmation"
            comment = policy_comment_verify(token=tokens[index])
            return f"{_today()}: {comment.display_name} confirms their comment"

        return act

    def moderate(index: int) -> Callable[[], str]:
        def act() -> str:
            spec = PUBLIC_COMMENTS[index]
            comment = Comment.objects.get(pk=comments[index])
            if comment.status != CommentStatus.PENDING:
                return f"{_today()}: nothing to moderate"
            policy_comment_moderate(
                comment_id=comment.pk,
                moderator=_user("counsel"),
                publish=bool(spec.publish),
                reason=spec.reason,
            )
            return f"{_today()}: counsel {'publishes a comment' if spec.publish else 'keeps a comment off the page'}"

        return act

    def respond() -> str:
        published = {
            index: pk
            for index, pk in comments.items()
            if Comment.objects.filter(pk=pk, status=CommentStatus.PUBLISHED).exists()
        }
        themes = 0
        for title, indexes, response in COMMENT_RESPONSES:
            answered = [published[index] for index in indexes if index in published]
            if answered:
                policy_comment_theme_write(
                    version_id=_second_version().pk,
                    author=_user("counsel"),
                    title=title,
                    changed=False,
                    response=response,
                    comment_ids=answered,
                )
                themes += 1
        return f"{_today()}: counsel publishes the district's response to the comments, {themes} themes"

    def adopt() -> str:
        version = policy_version_adopt(
            version_id=_second_version().pk,
            recorded_by=_user("superintendent"),
            voted_on=day(meeting),
            minutes_url=MINUTES_URL.format(day=day(meeting).isoformat()),
            meeting="Regular meeting of the school committee",
            result="Adopted, 6 to 1",
        )
        return f"{_today()}: the school committee's vote of {day(meeting):%B %-d} adopting {version.label} is recorded"

    def write_training() -> str:
        data = json.loads(SECOND_POLICY_TRAINING.read_text(encoding="utf-8"))
        module = training_module_create(
            version_id=_second_version().pk,
            author=_user("counsel"),
            title=data["title"],
            content=data["content"],
            questions=data["questions"],
            attestation=data["attestation"],
        )
        return f"{_today()}: counsel writes the training for {module.version.label}"

    def train(username: str) -> Callable[[], str]:
        def act() -> str:
            user = User.objects.filter(username=username).first()
            if user is None:
                return f"{_today()}: no {username} to train"
            for module in _second_version().training_modules.all():
                training_complete(
                    user=user,
                    module_id=module.pk,
                    answers=[question["answer"] for question in module.questions],
                    attested=True,
                )
            return f"{_today()}: {user.get_full_name() or username} completes the training for {SECOND_POLICY_LABEL}"

        return act

    def make_effective() -> str:
        version = policy_version_make_effective(
            version_id=_second_version().pk, made_by=_user("admin"), effective_from=effective_from
        )
        return f"{_today()}: {version.label} is made effective from {effective_day:%A, %B %-d, %Y}"

    acts: list[tuple[dt.datetime, Callable[[], str]]] = [
        (at(drafted, 9.5), record_default),
        (at(drafted + 1, 14), write_summary),
        (at(opens, 10), open_comment),
    ]
    for index, comment in enumerate(PUBLIC_COMMENTS):
        sent = at(opens + comment.day, comment.hour)
        acts.append((sent, submit(index)))
        if comment.publish is not None:
            acts.append((sent + dt.timedelta(hours=3), confirm(index)))
            acts.append((at(opens + comment.day + 2, 11), moderate(index)))
    acts.append((at(closes + 3, 10), respond))
    acts.append((at(meeting + 1, 9.25), adopt))
    acts.append((at(meeting + 3, 10), write_training))
    for offset, username in enumerate(("counsel", "superintendent", "clerk", "admin", "principal")):
        acts.append((at(meeting + 4 + offset, 9 + offset), train(username)))
    acts.append((at(meeting + 10, 9), make_effective))
    return sorted(acts, key=lambda act: act[0])


def policy_history() -> list[str]:
    """One line per policy version of the district, for the command's report."""
    lines = []
    for version in Version.objects.order_by("number"):
        since = (
            f"in effect from {timezone.localtime(version.effective_from):%B %-d, %Y}"
            if version.effective_from
            else "in effect from the beginning"
        )
        until = (
            f" until {timezone.localtime(version.superseded_at):%B %-d, %Y}" if version.superseded_at else ""
        )
        adopted = f", adopted {version.adopted_on:%B %-d, %Y}" if version.adopted_on else ""
        lines.append(
            f"version {version.number} ({version.label}): {version.get_status_display().lower()}{adopted}, "
            f"{since}{until}"
            if version.status in (VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)
            else f"version {version.number} ({version.label}): {version.get_status_display().lower()}"
        )
    return lines


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
