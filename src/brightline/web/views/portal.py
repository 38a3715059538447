"""The requester portal: an agency's people submit requests, follow them and download releases."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from brightline.casework import selectors as casework_selectors
from brightline.casework.documents import document_attach
from brightline.casework.models import Channel, Request
from brightline.casework.services import request_submit
from brightline.disclosures.models import ReleasePacket
from brightline.disclosures.services import (
    delivery_link_issue,
    delivery_link_redeem,
    packet_acknowledge,
    packet_json_bytes,
    packet_pdf_bytes,
)
from brightline.errors import Conflict, InvalidInput
from brightline.ui import REQUESTERS, PageRequest, add_service_errors, role_required, sentence
from brightline.vocabulary import EMERGENCY_RESPONDERS
from brightline.web.forms import AcknowledgeForm, DownloadForm, RequestForm
from brightline.web.paging import bounded_page
from brightline.web.views.common import letter_response, named_student


@role_required(REQUESTERS)
def portal(request: PageRequest) -> HttpResponse:
    # A page at a time (an agency may send thousands over the years), found by reference; each row's
    # state as the requester is shown it, read for the page's requests alone.
    page = bounded_page(
        request,
        casework_selectors.requests_page_for_agency(agency=request.agency, q=request.GET.get("q", "")),
    )
    requests = casework_selectors.requester_list_rows(page.object_list)
    context = {"requests": requests, "page": page}
    return render(request, "web/portal/list.html", context)


@role_required(REQUESTERS)
@require_http_methods(["GET", "POST"])
def portal_new(request: PageRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation():
        try:
            # The request and its documents are stored together or not at all.
            with transaction.atomic():
                result = request_submit(
                    agency=request.agency,
                    document=form.request_document(),
                    channel=Channel.PORTAL,
                    submitted_by=request.user,
                )
                for upload, kind in form.uploads():
                    document_attach(
                        request=result.request, upload=upload, kind=kind, uploaded_by=request.user
                    )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            # A request refused at once is told so at the top of its page, not greeted as received. The
            # requester's own view decides (a refusal resting on a student's facts reads "in review").
            answered = casework_selectors.request_representation(result.request, for_agency=True)
            if answered["disposition"] != "refused":
                messages.success(request, f"Your request {result.request.reference} was received.")
            return redirect("web:portal_request", request_id=result.request.pk)
    context = {
        "form": form,
        # The policy counts an emergency only from an emergency responder (rule R1).
        "emergency_counts": request.agency.kind in EMERGENCY_RESPONDERS,
        "agency_kind": request.agency.kind,
    }
    return render(request, "web/portal/new.html", context)


def _own_request(request: PageRequest, request_id: str) -> Request:
    return casework_selectors.request_get(request_id=request_id, agency=request.agency)


def _render_request(
    request: PageRequest, found: Request, *, ack_form: AcknowledgeForm | None = None, status: int = 200
) -> HttpResponse:
    packets = [
        {
            "packet": packet,
            "acknowledge_form": ack_form
            if ack_form is not None and ack_form.prefix == f"ack-{packet.pk}"
            else AcknowledgeForm(prefix=f"ack-{packet.pk}"),
            "download_form": DownloadForm(),
        }
        for packet in found.packets.all()
    ]
    # The page shows exactly what the API answers the agency (CONTRACTS.md "What a requester learns").
    view = casework_selectors.request_representation(found, for_agency=True)
    groups = [
        {
            "named": named_student(student["named"]),
            "items": [item for item in view["items"] if item["student_position"] == student["position"]],
        }
        for student in view["students"]
    ]
    # Refused in whole, as the requester's own view says (never earlier than the office sends the answer
    # to a refusal that rests on a student's facts): the page says so first, with the reasons.
    refused = view["disposition"] == "refused"
    reasons = list(dict.fromkeys(item["explanation"] for item in view["items"] if item["explanation"]))
    return render(
        request,
        "web/portal/request.html",
        {
            "req": found,
            "view": view,
            "groups": groups,
            "packets": packets,
            "refused": refused,
            "refusal_reasons": reasons if refused else [],
            "decided": view["state"] in ("closed", "released", "ready"),
        },
        status=status,
    )


@role_required(REQUESTERS)
def portal_request(request: PageRequest, request_id: str) -> HttpResponse:
    return _render_request(request, _own_request(request, request_id))


@role_required(REQUESTERS)
def portal_letter(request: PageRequest, request_id: str) -> HttpResponse:
    """The district's answer as a letter (PDF): the page's content on paper."""
    found = _own_request(request, request_id)
    return letter_response(request, found)


def _own_packet(request: PageRequest, request_id: str, packet_id: str) -> tuple[Request, ReleasePacket]:
    found = _own_request(request, request_id)
    packet = next((p for p in found.packets.all() if str(p.pk) == str(packet_id)), None)
    if packet is None:
        raise Http404("no such release")
    return found, packet


@role_required(REQUESTERS)
@require_POST
def portal_acknowledge(request: PageRequest, request_id: str, packet_id: str) -> HttpResponse:
    found, packet = _own_packet(request, request_id, packet_id)
    form = AcknowledgeForm(request.POST, prefix=f"ack-{packet.pk}")
    if form.is_valid():
        try:
            packet_acknowledge(
                packet=packet,
                acknowledged_by_name=form.cleaned_data["acknowledged_by"],
                user=request.user,
                agency=request.agency,
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"acknowledged_by": "acknowledged_by"})
        else:
            messages.success(request, "Thank you. You can now download the release.")
            return redirect(reverse("web:portal_request", args=[found.pk]) + f"#release-{packet.pk}")
    return _render_request(request, found, ack_form=form, status=422)


@role_required(REQUESTERS)
@require_POST
def portal_download(request: PageRequest, request_id: str, packet_id: str) -> HttpResponse:
    """Issue a fresh single-use link and spend it at once: the file comes back as the answer to the
    click, so the browser never holds a link that a second visit (back, reload, history) would find
    spent and answer with the API's JSON error."""
    found, packet = _own_packet(request, request_id, packet_id)
    form = DownloadForm(request.POST)
    fmt = form.cleaned_data["format"] if form.is_valid() else "pdf"
    try:
        _link, token = delivery_link_issue(packet=packet, user=request.user, agency=request.agency)
        delivered = delivery_link_redeem(token=token, fmt=fmt, opened_by=request.user)
    except Conflict as error:
        messages.error(request, sentence(error.message))
        return redirect(reverse("web:portal_request", args=[found.pk]) + f"#release-{packet.pk}")
    if fmt == "pdf":
        response = HttpResponse(packet_pdf_bytes(delivered), content_type="application/pdf")
    else:
        response = HttpResponse(packet_json_bytes(delivered), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="release-{found.reference}.{fmt}"'
    response["X-Content-SHA256"] = delivered.content_sha256
    return response
