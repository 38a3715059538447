"""Every page and every API operation, called as every persona, against an explicit rule table.

Pages are found at run time from the URL configuration and API operations from the OpenAPI document, so
a new page or operation without a rule here fails this test. See accounts/README.md, "Adding a rule".
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from brightline.accounts.models import Role, User
from brightline.accounts.tests.helpers import sign_in
from brightline.agencies.models import TokenScope
from brightline.agencies.services import api_token_issue
from brightline.api import api
from brightline.casework.models import Item, Request, RequestStudent
from brightline.testing import World, make_user, request_body
from brightline.training.models import TrainingModule
from brightline.training.services import training_seed_completed
from brightline.transparency.periods import Period
from brightline.transparency.services import report_publish

pytestmark = pytest.mark.django_db

# Outcomes: "ok" = let through (any answer below 500 other than 401, 403, 404 and a redirect to sign-in:
# 200, a 302 elsewhere, 405 for a GET on a POST-only page, 409, 422 for the empty body we send);
# "denied" = 401, 403 or a redirect to sign-in; "hidden" = 404 (someone else's object, as if missing).
OK, DENIED, HIDDEN = "ok", "denied", "hidden"

ANONYMOUS = "anonymous"
OWN_TOKEN = "own_agency_token"  # the City Police's token; the fixtures' request is theirs
OTHER_TOKEN = "other_agency_token"  # the Transit Police's token
# The City Police's tokens with one scope each: every operation open to tokens states the scope it needs.
SUBMIT_TOKEN = "own_agency_submit_only_token"
READ_TOKEN = "own_agency_read_own_only_token"
STAFF = [
    Role.RECORDS_CLERK,
    Role.SUPERINTENDENT,
    Role.LEGAL_ADVISOR,
    Role.PRINCIPAL,
    Role.SCHOOL_STAFF,
    Role.AUDITOR,
    Role.ADMIN,
]
PERSONAS = [
    ANONYMOUS,
    *[str(role) for role in STAFF],
    str(Role.REQUESTER),
    str(Role.PARENT),
    str(Role.ELIGIBLE_STUDENT),
    OWN_TOKEN,
    OTHER_TOKEN,
    SUBMIT_TOKEN,
    READ_TOKEN,
]

RECORDS_OFFICE = {Role.RECORDS_CLERK, Role.ADMIN}
REVIEWERS = {Role.SUPERINTENDENT, Role.LEGAL_ADVISOR}
AGENCY = {Role.REQUESTER, OWN_TOKEN}
RECORD_READERS = {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}


def everyone() -> dict[str, str]:
    return {persona: OK for persona in PERSONAS}


def only(*groups: Any, **special: str) -> dict[str, str]:
    """OK for the personas named (roles, sets of roles, token personas); `special` overrides one persona."""
    allowed: set[str] = set()
    for group in groups:
        allowed |= {str(g) for g in group} if isinstance(group, set | frozenset | list) else {str(group)}
    rule = {persona: OK if persona in allowed else DENIED for persona in PERSONAS}
    rule.update(special)
    return rule


ALL_STAFF = set(STAFF)
INCIDENT_STAFF = {Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.ADMIN}
RECLASSIFIERS = {Role.PRINCIPAL, Role.ADMIN}
POLICY_STAFF = {Role.ADMIN, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR}
SESSIONS_AND_TOKENS = ALL_STAFF | AGENCY | {OTHER_TOKEN}
# Who passes an operation that needs the `submit` scope, or the `read_own` scope (tokens of both scopes
# pass both).
SUBMITTERS = AGENCY | {SUBMIT_TOKEN}
READERS = AGENCY | {READ_TOKEN}
SIGNED_IN = ALL_STAFF | {Role.REQUESTER, Role.PARENT, Role.ELIGIBLE_STUDENT}
# Staff who work requests see every request; school staff do not (a request is not found for them).
CASEWORK = {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.AUDITOR, Role.ADMIN}
NOT_CASEWORK = {Role.PRINCIPAL, Role.SCHOOL_STAFF}


def request_scoped(allowed: set[Any], **special: str) -> dict[str, str]:
    """An operation on the police's request: allowed personas pass, another agency's token and staff
    outside casework find nothing (404), everyone else is denied."""
    hidden = {str(role): HIDDEN for role in NOT_CASEWORK} | {OTHER_TOKEN: HIDDEN}
    return only(allowed, **(hidden | special))


# Operations only the records office (or the agency) may call: school staff are refused before any look-up.
OFFICE_ONLY = {str(Role.PRINCIPAL): DENIED, str(Role.SCHOOL_STAFF): DENIED}
NOT_OFFICE = OFFICE_ONLY | {OTHER_TOKEN: DENIED}
# Staff who write internal notes on a request (auditors read them, never write).
NOTE_WRITERS = {Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.ADMIN}


def packet_scoped(*extra: str) -> dict[str, str]:
    """The fixtures' packet id names no packet: whoever may see the request gets "no such packet"."""
    return only(**{persona: HIDDEN for persona in map(str, SESSIONS_AND_TOKENS | set(extra))})


# Keys: "page <url name>" for pages (called with GET) and "<METHOD> <OpenAPI path>" for the API.
RULES: dict[str, dict[str, str]] = {
    # Sign-in and the second factor (the MFA page sends the signed-in who need no code onwards).
    "page accounts:login": everyone(),
    "page accounts:logout": everyone(),
    # Sign-in through the district's provider: not configured here, so not found for anyone.
    "page accounts:oidc_start": {persona: HIDDEN for persona in PERSONAS},
    "page accounts:oidc_callback": {persona: HIDDEN for persona in PERSONAS},
    # The setup checklist's actions (POST only: GET answers 405 to the administrator).
    "page setup:confirm": only(Role.ADMIN),
    "page setup:mail_test": only(Role.ADMIN),
    "page security:mfa": only(SIGNED_IN),
    "page security:password_reset": everyone(),
    "page security:password_reset_done": everyone(),
    "page security:password_reset_confirm": everyone(),
    "page security:password_reset_complete": everyone(),
    # Public pages: anyone, signed in or not.
    "page web:home": everyone(),
    "page web:policy": everyone(),
    "page web:verify": everyone(),
    # The fixtures publish a closed quarter's report, which signs a checkpoint: public to everyone.
    "page ledger:checkpoint": everyone(),
    "page ledger:key": everyone(),
    "page transparency:index": everyone(),
    "page transparency:report": everyone(),
    "page transparency:download": everyone(),
    "page api:openapi-json": everyone(),
    "page api:openapi-view": everyone(),
    "page admin:index": only(),
    # Requester portal: the agency's own people; another agency's request is not found.
    "page web:portal": only(Role.REQUESTER),
    "page web:portal_new": only(Role.REQUESTER),
    "page web:portal_request": only(Role.REQUESTER),
    "page web:portal_letter": only(Role.REQUESTER),
    # The conversation on a request, its letters, reconsideration and preservation (casework README).
    "page web:portal_message": only(Role.REQUESTER),
    "page web:portal_letter_kind": only(Role.REQUESTER),
    "page web:portal_reconsider": only(Role.REQUESTER),
    "page web:portal_preservations": only(Role.REQUESTER),
    "page web:portal_preservation_extend": only(**{Role.REQUESTER: HIDDEN}),  # no hold 1
    "page web:office_message": only(RECORDS_OFFICE),
    "page web:office_extend": only(RECORDS_OFFICE),
    "page web:office_resume": only(RECORDS_OFFICE),
    "page web:office_pause": only(RECORDS_OFFICE),
    "page web:office_assign": only(RECORDS_OFFICE),
    "page web:office_search": only(RECORD_READERS),
    "page web:office_letter_kind": only(RECORDS_OFFICE),
    "page web:office_preservations": only(RECORD_READERS),
    "page web:office_preservation_followed": only(
        **{str(role): HIDDEN for role in RECORDS_OFFICE}
    ),  # no hold 1
    "page web:office_release_preview": only(RECORDS_OFFICE),
    "page web:office_release_confirm": only(RECORDS_OFFICE),
    "page web:staff_note": only({Role.RECORDS_CLERK, Role.SUPERINTENDENT, Role.LEGAL_ADVISOR, Role.ADMIN}),
    "page web:review_reconsideration": only(**{Role.LEGAL_ADVISOR: HIDDEN}),  # no reconsideration 1
    # (the fixtures' packet id names no packet, so the requester who may ask finds none)
    "page web:portal_acknowledge": only(**{Role.REQUESTER: HIDDEN}),
    "page web:portal_download": only(**{Role.REQUESTER: HIDDEN}),
    # Records office.
    "page web:office": only(RECORDS_OFFICE),
    "page web:office_new": only(RECORDS_OFFICE),
    "page web:office_request": only(RECORDS_OFFICE),
    "page web:office_match": only(RECORDS_OFFICE),
    "page web:office_release": only(RECORDS_OFFICE),
    "page web:office_close_student": only(RECORDS_OFFICE),
    "page web:office_answer_send": only(RECORDS_OFFICE),
    "page web:office_letter": only(RECORDS_OFFICE),
    # Whoever may determine finds no emergency waiting in the fixtures: not found, like a missing one.
    "page web:emergency_determine": only(
        **{str(role): HIDDEN for role in (Role.RECORDS_CLERK, Role.ADMIN, Role.PRINCIPAL)}
    ),
    "page web:office_agencies": only(RECORDS_OFFICE),
    "page web:office_agency_verify": only(RECORDS_OFFICE),
    "page web:office_letters": only(RECORDS_OFFICE),
    "page web:office_letter_mailed": only(**{str(role): HIDDEN for role in RECORDS_OFFICE}),  # no notice 1
    # Family notices: printed letters and the translation catalogues (there is no notice 1).
    "page notices:letters": only(RECORDS_OFFICE),
    "page notices:letter_pdf": only(**{str(role): HIDDEN for role in RECORDS_OFFICE}),
    "page notices:letter_mark": only(**{str(role): HIDDEN for role in RECORDS_OFFICE}),
    "page notices:catalogs": only(ALL_STAFF),
    "page notices:catalog_review": only(Role.ADMIN),
    # Families' objections: reviewers decide (there is no objection 1), the records office enters letters.
    "page notices:objections": only(REVIEWERS),
    "page notices:objection_decide": only(**{str(role): HIDDEN for role in REVIEWERS}),
    "page notices:objection_enter": only(RECORDS_OFFICE),
    # Reviewers.
    "page web:review": only(REVIEWERS),
    "page web:review_request": only(REVIEWERS),
    "page web:review_decide": only(REVIEWERS),
    # Counsel marks its copy of a request read (there is no copy 1).
    "page web:review_counsel_notice_read": only(**{Role.LEGAL_ADVISOR: HIDDEN}),
    # The administrator's settings and family-notice decisions (there is no email 1).
    "page web:admin_settings": only(Role.ADMIN),
    # The setup checklist's pages (operations/administration_views.py): the administrator only.
    "page administration:sign_in_groups": only(Role.ADMIN),
    "page administration:roster_imports": only(Role.ADMIN),
    "page administration:witnesses": only(Role.ADMIN),
    "page web:admin_email_retry": only(**{Role.ADMIN: HIDDEN}),
    "page web:family_notice_decisions": only(Role.ADMIN),
    "page web:family_notice_decide": only(Role.ADMIN),
    # Non-disclosure orders: counsel and the administrator (an empty form answers 422).
    "page web:nondisclosure_orders": only(Role.ADMIN, Role.LEGAL_ADVISOR),
    "page web:nondisclosure_order_terms": only(Role.ADMIN, Role.LEGAL_ADVISOR),
    "page web:nondisclosure_order_reveal": only(Role.ADMIN, Role.LEGAL_ADVISOR),
    "page web:staff_document": only(REVIEWERS | RECORDS_OFFICE | {Role.AUDITOR}),
    # School staff and families.
    "page web:school_record": only(Role.PRINCIPAL, Role.SCHOOL_STAFF),
    "page web:family": only(Role.PARENT, Role.ELIGIBLE_STUDENT),
    # (student_pk is Alice, the parent's child; the eligible student persona is not her)
    "page web:family_record_copy": only(Role.PARENT, **{str(Role.ELIGIBLE_STUDENT): HIDDEN}),
    "page web:family_object": only(Role.PARENT, **{str(Role.ELIGIBLE_STUDENT): HIDDEN}),
    "page web:family_notice_letter": only(**{str(Role.PARENT): HIDDEN, str(Role.ELIGIBLE_STUDENT): HIDDEN}),
    "page web:family_notice_language": only(Role.PARENT, Role.ELIGIBLE_STUDENT),
    # The language chooser on every page (POST; a GET answers 405).
    "page web:language": everyone(),
    # The policy in public: versions, their diff and comments for anyone; drafting for policy staff.
    "page policy:versions": everyone(),
    "page policy:version": everyone(),
    "page policy:diff": everyone(),
    "page policy:comment": everyone(),
    "page policy:comment_theme": only(POLICY_STAFF),
    "page policy:comment_verify": everyone(),
    "page policy:draft_new": only(POLICY_STAFF),
    "page policy:draft_edit": only(POLICY_STAFF),
    "page policy:lifecycle": only(POLICY_STAFF),
    "page policy:simulate": only(POLICY_STAFF),
    "page policy:moderation": only(POLICY_STAFF),
    "page policy:moderate": only(POLICY_STAFF),
    # Training: every member of staff takes it; the records office, the superintendent and auditors see
    # who is trained; policy staff write modules.
    "page training:index": only(ALL_STAFF),
    "page training:module": only(ALL_STAFF),
    "page training:module_new": only(POLICY_STAFF),
    "page training:staff": only(
        Role.RECORDS_CLERK, Role.ADMIN, Role.SUPERINTENDENT, Role.AUDITOR, Role.PRINCIPAL
    ),
    # Incidents: school staff, principals and administrators only; the fixtures hold no incident 1.
    "page incidents:list": only(INCIDENT_STAFF),
    "page incidents:record": only(INCIDENT_STAFF),
    "page incidents:detail": only(**{str(role): HIDDEN for role in INCIDENT_STAFF}),
    "page incidents:reclassify": only(**{str(role): HIDDEN for role in RECLASSIFIERS}),
    "GET /api/v1/incidents/": only(INCIDENT_STAFF),
    "POST /api/v1/incidents/": only(INCIDENT_STAFF),
    "GET /api/v1/incidents/{incident_id}": only(**{str(role): HIDDEN for role in INCIDENT_STAFF}),
    "POST /api/v1/incidents/{incident_id}/reclassify": only(RECLASSIFIERS),
    "POST /api/v1/incidents/{incident_id}/attachments": only(INCIDENT_STAFF),
    # API: requests.
    # A token needs the scope each operation states: `submit` to triage, submit and attach a document;
    # `read_own` to read a request, a document or a packet; both to acknowledge the redisclosure terms.
    "POST /api/v1/triage": only(SESSIONS_AND_TOKENS, SUBMIT_TOKEN),
    "POST /api/v1/requests": only(SUBMITTERS, OTHER_TOKEN),
    "GET /api/v1/requests": only(SESSIONS_AND_TOKENS, READ_TOKEN),
    "GET /api/v1/requests/{request_id}": request_scoped(CASEWORK | READERS),
    "POST /api/v1/requests/{request_id}/documents": request_scoped(CASEWORK | SUBMITTERS),
    "GET /api/v1/requests/{request_id}/documents/{document_id}": request_scoped(CASEWORK | READERS),
    # The conversation on a request (casework/conversation.py): the office writes and decides the clock,
    # the requester writes and reads, staff keep notes the requester never reads.
    "GET /api/v1/requests/{request_id}/messages": request_scoped(CASEWORK | READERS),
    "POST /api/v1/requests/{request_id}/messages": request_scoped(RECORDS_OFFICE | SUBMITTERS, **OFFICE_ONLY),
    "POST /api/v1/requests/{request_id}/clarification": request_scoped(RECORDS_OFFICE, **NOT_OFFICE),
    "POST /api/v1/requests/{request_id}/clock/resume": request_scoped(RECORDS_OFFICE, **NOT_OFFICE),
    "POST /api/v1/requests/{request_id}/extension": request_scoped(RECORDS_OFFICE, **NOT_OFFICE),
    "POST /api/v1/requests/{request_id}/owner": request_scoped(RECORDS_OFFICE, **NOT_OFFICE),
    "GET /api/v1/requests/{request_id}/notes": request_scoped(CASEWORK, **{OTHER_TOKEN: DENIED}),
    "POST /api/v1/requests/{request_id}/notes": request_scoped(NOTE_WRITERS, **NOT_OFFICE),
    # Reconsideration: the requester asks, counsel decides (no reconsideration of the fixtures' id).
    "GET /api/v1/requests/{request_id}/reconsiderations": request_scoped(CASEWORK | READERS),
    "POST /api/v1/requests/{request_id}/reconsiderations": request_scoped(SUBMITTERS, **OFFICE_ONLY),
    "POST /api/v1/reconsiderations/{reconsideration_id}/decision": only(**{Role.LEGAL_ADVISOR: HIDDEN}),
    # Preservation requests: an agency's own holds (no hold of that id here).
    "POST /api/v1/preservations": only(SUBMITTERS, OTHER_TOKEN),
    "GET /api/v1/preservations": only(READERS, OTHER_TOKEN),
    "POST /api/v1/preservations/{preservation_id}/extension": only(
        **{str(persona): HIDDEN for persona in SUBMITTERS | {OTHER_TOKEN}}
    ),
    "POST /api/v1/office/requests": only(ALL_STAFF),
    "POST /api/v1/request-students/{request_student_id}/match": only(ALL_STAFF),
    "POST /api/v1/request-students/{request_student_id}/emergency-determination": only(ALL_STAFF),
    "POST /api/v1/items/{item_id}/decision": only(ALL_STAFF),
    "GET /api/v1/review/queue": only(ALL_STAFF),
    "GET /api/v1/office/overdue": only(ALL_STAFF),
    # API: releases and the record of disclosures.
    "POST /api/v1/requests/{request_id}/release": request_scoped(RECORDS_OFFICE, **{OTHER_TOKEN: DENIED}),
    "POST /api/v1/requests/{request_id}/packets/{packet_id}/acknowledge": packet_scoped(),
    "POST /api/v1/requests/{request_id}/packets/{packet_id}/link": packet_scoped(READ_TOKEN),
    # Staff open a packet (logged); no packet has the fixtures' id, and school staff find no request.
    "GET /api/v1/requests/{request_id}/packets/{packet_id}": only(**{str(r): HIDDEN for r in ALL_STAFF}),
    "GET /api/v1/releases/{token}": {persona: HIDDEN for persona in PERSONAS},
    "POST /api/v1/disclosures/after-the-fact": only(ALL_STAFF),
    "GET /api/v1/students/{student_id}/disclosures": only(RECORD_READERS),
    # API: the public ledger and reports.
    "GET /api/v1/ledger/entries": everyone(),
    "GET /api/v1/ledger/proof/inclusion": everyone(),
    "GET /api/v1/ledger/proof/consistency": everyone(),
    "GET /api/v1/ledger/receipt": everyone(),
    "GET /api/v1/ledger/checkpoints": everyone(),
    "POST /api/v1/ledger/cosignatures": everyone(),
    "GET /api/v1/transparency/periods": everyone(),
    "GET /api/v1/transparency/{key}": everyone(),
    # API: operations.
    "GET /api/v1/health": everyone(),
    "GET /api/v1/access-log": only(Role.AUDITOR, Role.ADMIN),
}


PDF = b"%PDF-1.4\n%%EOF\n"


def body_for(call: Call) -> dict[str, Any]:
    """A well-formed body where an operation checks ownership only after reading it; else an empty one
    (a 422 then shows the request got past authentication and authorisation)."""
    if call.key == "POST /api/v1/requests/{request_id}/documents":
        return {"data": {"kind": "subpoena", "file": SimpleUploadedFile("s.pdf", PDF)}}
    if call.key == "POST /api/v1/requests/{request_id}/packets/{packet_id}/acknowledge":
        return {"data": json.dumps({"acknowledged_by": "A. Person"}), "content_type": "application/json"}
    # A body that passes validation, so that the answer shows who the operation lets through.
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/requests/{request_id}/messages": {"body": "A question."},
        "POST /api/v1/requests/{request_id}/clarification": {"body": "Which school?"},
        "POST /api/v1/requests/{request_id}/clock/resume": {"reason": "Answered by telephone."},
        "POST /api/v1/requests/{request_id}/extension": {
            "new_due_date": "2099-01-05",
            "reason": "Many records.",
        },
        "POST /api/v1/requests/{request_id}/owner": {"owner": None},
        "POST /api/v1/requests/{request_id}/notes": {"body": "Called the detective."},
        "POST /api/v1/requests/{request_id}/reconsiderations": {"items": [1], "reason": "Please look again."},
        "POST /api/v1/reconsiderations/{reconsideration_id}/decision": {
            "outcome": "upheld",
            "reason": "As before.",
        },
    }
    if call.key in bodies:
        return {"data": json.dumps(bodies[call.key]), "content_type": "application/json"}
    return {"data": b"{}", "content_type": "application/json"}


@dataclass
class Call:
    key: str
    method: str
    path: str


@dataclass
class Fixtures:
    values: dict[str, str]
    clients: dict[str, Client]
    headers: dict[str, dict[str, str]]


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}".strip(":"), pattern
        elif namespace != "admin":
            raise AssertionError(f"every page needs a URL name to carry a rule: {pattern.pattern}")


def _page_parameters(pattern: URLPattern) -> list[str]:
    names = list(pattern.pattern.regex.groupindex)
    converters = getattr(pattern.pattern, "converters", {})
    return names or list(converters)


def discover(values: dict[str, str]) -> list[Call]:
    calls: list[Call] = []
    for name, pattern in _walk(get_resolver().url_patterns):
        namespace = name.split(":")[0]
        if namespace == "api" and name not in {"api:openapi-json", "api:openapi-view"}:
            continue  # operations come from the OpenAPI document below
        if namespace == "admin" and name != "admin:index":
            continue  # Django's admin checks is_staff itself on every page; the index stands for it
        missing = [param for param in _page_parameters(pattern) if param not in values]
        assert not missing, f"give a value for {missing} of page {name} in the fixture below"
        path = reverse(name, kwargs={param: values[param] for param in _page_parameters(pattern)})
        calls.append(Call(f"page {name}", "GET", path))
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            concrete = path
            for param in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
                assert param in values, f"give a value for {param} of {path} in the fixture below"
                concrete = concrete.replace("{" + param + "}", values[param])
            calls.append(Call(f"{method.upper()} {path}", method.upper(), concrete))
    return calls


@pytest.fixture
def fixtures(world: World) -> Fixtures:
    police = Client()
    created = police.post(
        "/api/v1/requests",
        data=json.dumps(request_body(world.alice, categories=["directory", "health"])),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    ).json()
    request = Request.objects.get(pk=created["id"])
    # Only a closed period's report is public, once it was published.
    report_publish(period=Period.parse("2025-Q1"))
    document = police.post(
        f"/api/v1/requests/{request.pk}/documents",
        {"kind": "subpoena", "file": SimpleUploadedFile("subpoena.pdf", PDF)},
        HTTP_AUTHORIZATION=f"Bearer {world.police_token}",
    ).json()
    users: dict[str, User] = {
        Role.RECORDS_CLERK: world.clerk,
        Role.SUPERINTENDENT: world.superintendent,
        Role.LEGAL_ADVISOR: world.legal_advisor,
        Role.PRINCIPAL: world.principal,
        Role.SCHOOL_STAFF: make_user("teacher", Role.SCHOOL_STAFF, first="Tia", last="Teacher"),
        Role.AUDITOR: world.auditor,
        Role.ADMIN: make_user("admin", Role.ADMIN, first="Ari", last="Admin"),
        Role.REQUESTER: world.detective,
        Role.PARENT: world.parent,
        Role.ELIGIBLE_STUDENT: make_user("benokafor", Role.ELIGIBLE_STUDENT, first="Ben", last="Okafor"),
    }
    # The administrator works cases too: trained like the personas of build_world().
    training_seed_completed(users=[users[Role.ADMIN]])
    # Each persona calls from its own address, as people do: the rate limits stay on and count each apart.
    addresses = {persona: f"10.9.0.{number}" for number, persona in enumerate(PERSONAS, start=1)}
    clients: dict[str, Client] = {
        persona: Client(REMOTE_ADDR=addresses[persona]) for persona in (ANONYMOUS, OWN_TOKEN, OTHER_TOKEN)
    }
    for role, user in users.items():
        clients[str(role)] = Client(REMOTE_ADDR=addresses[str(role)])
        sign_in(clients[str(role)], user)
    values = {
        "request_id": str(request.pk),
        "packet_id": str(uuid.uuid4()),
        "item_id": str(Item.objects.filter(request=request).order_by("pk").values_list("pk", flat=True)[0]),
        "request_student_id": str(
            RequestStudent.objects.filter(request=request).values_list("pk", flat=True)[0]
        ),
        "document_id": str(document["id"]),
        "agency_id": str(world.transit.pk),
        "notice_id": "1",
        "counsel_notice_id": "1",
        "objection_id": "1",
        "email_id": "1",
        "decision_id": "1",
        "incident_id": "1",
        "student_pk": str(world.alice.pk),
        "number": "1",
        "comment_id": "1",
        "module_id": str(TrainingModule.objects.get(version__number=1).pk),
        "student_id": world.alice.sis_id,
        "token": "not-a-delivery-token",
        "key": "2025-Q1",
        "fmt": "json",
        "mark": "mailed",
        "item": "ledger_key_backed_up",
        "language": "es",
        "uidb64": "MQ",
        "token_reset": "x",
        "kind": "acknowledgment",
        "preservation_id": str(uuid.uuid4()),
        "reconsideration_id": "999999999",  # none: ids depend on the database's sequences
    }
    _, submit_only = api_token_issue(agency=world.police, name="intake", scopes=[TokenScope.SUBMIT])
    _, read_only = api_token_issue(agency=world.police, name="dashboard", scopes=[TokenScope.READ_OWN])
    for persona in (SUBMIT_TOKEN, READ_TOKEN):
        clients[persona] = Client(REMOTE_ADDR=addresses[persona])
    headers = {
        OWN_TOKEN: {"HTTP_AUTHORIZATION": f"Bearer {world.police_token}"},
        OTHER_TOKEN: {"HTTP_AUTHORIZATION": f"Bearer {world.transit_token}"},
        SUBMIT_TOKEN: {"HTTP_AUTHORIZATION": f"Bearer {submit_only}"},
        READ_TOKEN: {"HTTP_AUTHORIZATION": f"Bearer {read_only}"},
    }
    return Fixtures(values=values, clients=clients, headers=headers)


def outcome(response: HttpResponse) -> str:
    if response.status_code in {401, 403}:
        return DENIED
    if response.status_code == 302 and any(
        login in response.get("Location", "") for login in ["/accounts/sign-in/", "/admin/login/"]
    ):
        return DENIED
    if response.status_code == 302 and "/accounts/mfa/" in response.get("Location", ""):
        return "second factor missing"
    if response.status_code == 404:
        return HIDDEN
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    return OK


def test_every_page_and_operation_has_a_rule(fixtures: Fixtures) -> None:
    calls = discover(fixtures.values)
    unknown = sorted({call.key for call in calls} - set(RULES))
    assert not unknown, f"add a rule for each of these to RULES: {unknown}"
    assert len(calls) > 40


def test_every_persona_gets_the_answer_its_rule_says(fixtures: Fixtures) -> None:
    problems: list[str] = []
    # Signing out ends the session the other calls use: it goes last.
    calls = sorted(discover(fixtures.values), key=lambda call: call.key == "page accounts:logout")
    for call in calls:
        rule = RULES.get(call.key)
        if rule is None:
            continue  # reported by the test above
        for persona in PERSONAS:
            client = fixtures.clients[persona]
            headers = fixtures.headers.get(persona, {})
            if call.method == "GET":
                response = client.get(call.path, **headers)
                if response.status_code == 405 and call.key.startswith("page "):
                    # A POST-only page that checks the method before the person: ask it with POST.
                    response = client.post(call.path, {}, **headers)
            elif call.method == "POST":
                response = client.post(call.path, **body_for(call), **headers)
            else:
                response = client.generic(call.method, call.path, **body_for(call), **headers)
            got = outcome(response)
            expected = rule.get(persona, DENIED)
            if got != expected:
                problems.append(
                    f"{call.key} as {persona}: expected {expected}, got {got} ({response.status_code})"
                )
    assert not problems, "\n".join(problems)


def test_every_operation_open_to_tokens_names_the_scopes_it_needs() -> None:
    """The OpenAPI document names, for each operation a token may call, the scheme of its scopes."""
    schema = api.get_openapi_schema()
    schemes = schema["components"]["securitySchemes"]
    token_schemes = {name for name, scheme in schemes.items() if scheme.get("scheme") == "bearer"}
    assert token_schemes and all(name.startswith("AgencyToken_") for name in token_schemes)
    assert all(
        "`submit`" in schemes[n]["description"] or "`read_own`" in schemes[n]["description"]
        for n in token_schemes
    )
    scoped = {
        f"{method.upper()} {path}": [
            name for requirement in operation.get("security", []) for name in requirement
        ]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert scoped["POST /api/v1/requests"][0] == "AgencyToken_submit"
    assert scoped["GET /api/v1/requests/{request_id}"][0] == "AgencyToken_read_own"
    assert scoped["POST /api/v1/requests/{request_id}/packets/{packet_id}/acknowledge"][0] == (
        "AgencyToken_read_own_submit"
    )
