"""JSON API for releases: staff release cleared items; the recipient acknowledges and downloads once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from brightline.accounts.services import staff_access_record
from brightline.agencies.auth import ApiRequest, staff_only, staff_or_agency_with_scope
from brightline.agencies.models import TokenScope
from brightline.api_schemas import ERRORS
from brightline.casework import selectors as casework_selectors
from brightline.disclosures import selectors, services
from brightline.disclosures.models import ReleasePacket
from brightline.errors import InvalidInput, NotFound
from brightline.roster.models import Student
from brightline.training.selectors import require_trained

router = Router(tags=["releases"])


class PacketOut(Schema):
    id: str
    request_id: str
    released_at: dt.datetime
    content_sha256: str
    redisclosure_notice: str
    acknowledged_at: dt.datetime | None


def _packet_out(packet: ReleasePacket) -> dict[str, Any]:
    return {
        "id": str(packet.pk),
        "request_id": str(packet.request_id),
        "released_at": packet.released_at,
        "content_sha256": packet.content_sha256,
        "redisclosure_notice": packet.redisclosure_notice,
        "acknowledged_at": packet.acknowledged_at,
    }


@router.post(
    "/requests/{request_id}/release",
    auth=staff_only,
    response={201: PacketOut, **ERRORS},
    summary="Release cleared items",
)
def release(request: ApiRequest, request_id: str) -> Status[dict[str, Any]]:
    found = casework_selectors.request_get(request_id=request_id, user=request.user)
    packet = services.packet_release(request_id=found.pk, released_by=request.user)
    return Status(201, _packet_out(packet))


def _packet_for(request: ApiRequest, request_id: str, packet_id: str) -> ReleasePacket:
    viewer: dict[str, Any] = (
        {"agency": request.agency} if getattr(request, "agency", None) else {"user": request.user}
    )
    found = casework_selectors.request_get(request_id=request_id, **viewer)
    packet = next((p for p in found.packets.all() if str(p.pk) == packet_id), None)
    if packet is None:
        raise NotFound("There is no such packet.")
    return packet


class AcknowledgeIn(Schema):
    acknowledged_by: str


@router.post(
    "/requests/{request_id}/packets/{packet_id}/acknowledge",
    auth=staff_or_agency_with_scope(TokenScope.SUBMIT, TokenScope.READ_OWN),
    response={200: PacketOut, **ERRORS},
    summary="Acknowledge the redisclosure terms",
)
def acknowledge(
    request: ApiRequest, request_id: str, packet_id: str, payload: AcknowledgeIn
) -> dict[str, Any]:
    """Only the requesting agency's own people (its requesters, its token) acknowledge; staff get 403.
    The acknowledgment binds the agency and answers what was released: a token needs both `submit` and
    `read_own`."""
    packet = services.packet_acknowledge(
        packet=_packet_for(request, request_id, packet_id),
        acknowledged_by_name=payload.acknowledged_by,
        user=request.user,
        agency=request.agency,
        api_token=request.api_token,
    )
    return _packet_out(packet)


class LinkOut(Schema):
    json_url: str
    pdf_url: str
    expires_at: dt.datetime


@router.post(
    "/requests/{request_id}/packets/{packet_id}/link",
    auth=staff_or_agency_with_scope(TokenScope.READ_OWN),
    response={201: LinkOut, **ERRORS},
    summary="A single-use download link",
)
def issue_link(request: ApiRequest, request_id: str, packet_id: str) -> Status[dict[str, Any]]:
    """Each link works once and expires; the JSON and PDF URLs share it, so use one of them. Links are
    for the requesting agency's own people; staff get 403 and open a packet with the operation below."""
    link, token = services.delivery_link_issue(
        packet=_packet_for(request, request_id, packet_id), user=request.user, agency=request.agency
    )
    path = reverse("api:release_download", kwargs={"token": token})
    return Status(
        201,
        {
            "json_url": request.build_absolute_uri(f"{path}?format=json"),
            "pdf_url": request.build_absolute_uri(f"{path}?format=pdf"),
            "expires_at": link.expires_at,
        },
    )


@router.get(
    "/releases/{token}",
    auth=None,
    url_name="release_download",
    response={200: None, **ERRORS},
    summary="Download a packet once",
)
def download(request: ApiRequest, token: str, format: str = "json") -> HttpResponse:  # noqa: A002
    packet = services.delivery_link_redeem(token=token, fmt=format, opened_by=request.user)
    return _packet_file(packet, format)


def _packet_file(packet: ReleasePacket, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        response = HttpResponse(services.packet_pdf_bytes(packet), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="release-{packet.request.reference}.pdf"'
    else:
        response = HttpResponse(services.packet_json_bytes(packet), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="release-{packet.request.reference}.json"'
    response["Cache-Control"] = "no-store"
    response["X-Content-SHA256"] = packet.content_sha256
    return response


@router.get(
    "/requests/{request_id}/packets/{packet_id}",
    auth=staff_only,
    url_name="release_staff_open",
    response={200: None, **ERRORS},
    summary="Open a released packet (staff)",
)
def staff_open(request: ApiRequest, request_id: str, packet_id: str, format: str = "json") -> HttpResponse:  # noqa: A002
    """The records office, reviewers and auditors open what was released, exactly as delivered. Each
    opening is written to the staff access log for every student in the packet; it is not a delivery and
    leaves the recipient's links and acknowledgment as they were."""
    if format not in ("json", "pdf"):
        raise InvalidInput([("format", "Choose one of: JSON or PDF.")])
    packet = services.packet_staff_open(
        packet=_packet_for(request, request_id, packet_id), user=request.user, http_request=request
    )
    return _packet_file(packet, format)


class AfterTheFactIn(Schema):
    student_id: str
    kind: str
    disclosed_at: dt.datetime
    recipient_name: str
    recipient_position: str = ""
    recipient_affiliation: str
    recipient_kind: str
    categories: list[str]
    details: str
    recipients: list[str] = []
    # Required when the disclosure is recorded more than 48 hours after it was made: why only now.
    late_reason: str = ""


class EntryOut(Schema):
    id: int
    student_id: str
    kind: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    party_name: str
    party_position: str
    party_affiliation: str
    legitimate_interest: str
    lawful_basis: str
    categories: list[str]
    fields: list[str]
    outcome: str
    released_by_name: str
    released_by_position: str
    threat: str
    recipients: list[str]
    sealed: bool
    ledger_index: int | None


def _entry_out(entry: Any) -> dict[str, Any]:
    return {
        field: getattr(entry, field) for field in EntryOut.model_fields if field not in {"student_id"}
    } | {
        "id": entry.pk,
        "student_id": entry.student_sis_id,
    }


@router.post(
    "/disclosures/after-the-fact",
    auth=staff_only,
    response={201: EntryOut, **ERRORS},
    summary="Record a disclosure already made",
)
def after_the_fact(request: ApiRequest, payload: AfterTheFactIn) -> Status[dict[str, Any]]:
    # The training first: an account that may not record learns nothing about which student ids exist.
    require_trained(request.user, acting="recording a disclosure made after the fact")
    student = Student.objects.filter(sis_id=payload.student_id).first()
    if student is None:
        raise InvalidInput([("student_id", "No student has this id in the roster.")])
    if payload.disclosed_at.tzinfo is None:
        raise InvalidInput(
            [
                (
                    "disclosed_at",
                    "Give the time with its offset from UTC (for example 2026-03-01T14:05:00-05:00).",
                )
            ]
        )
    entry = services.after_the_fact_record(
        student=student,
        kind=payload.kind,
        disclosed_at=payload.disclosed_at,
        recipient_name=payload.recipient_name,
        recipient_position=payload.recipient_position,
        recipient_affiliation=payload.recipient_affiliation,
        recipient_kind=payload.recipient_kind,
        categories=payload.categories,
        details=payload.details,
        recipients=payload.recipients,
        recorded_by=request.user,
        late_reason=payload.late_reason,
    )
    return Status(201, _entry_out(entry))


@router.get(
    "/students/{student_id}/disclosures",
    auth=staff_only,
    response={200: list[EntryOut], **ERRORS},
    summary="A student's record of disclosures",
)
def record_of_disclosures(request: ApiRequest, student_id: str) -> list[dict[str, Any]]:
    entries = selectors.disclosures_for_staff(user=request.user, sis_id=student_id)
    staff_access_record(user=request.user, student=student_id, what="record of disclosures", request=request)
    return [_entry_out(entry) for entry in entries]
