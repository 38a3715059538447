"""Pages for incident reports: record one, list a school's, read one, reclassify one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from brightline.accounts.services import staff_access_record
from brightline.errors import InvalidInput
from brightline.incidents import selectors, services
from brightline.incidents.classification import CONDUCT
from brightline.incidents.forms import IncidentForm, ReclassifyForm, incident_field_map
from brightline.incidents.screening import text_screening_available
from brightline.training.selectors import NotTrained, is_trained
from brightline.ui import PageRequest, add_service_errors, role_required

LIST_LIMIT = 200


@role_required(selectors.RECORDER_ROLES)
@require_http_methods(["GET"])
def incident_list(request: PageRequest) -> HttpResponse:
    incidents = list(selectors.incidents_visible_to(request.user)[:LIST_LIMIT])
    return render(
        request,
        "incidents/list.html",
        {"incidents": incidents, "limit": LIST_LIMIT, "schools": selectors.schools_for(request.user)},
    )


@role_required(selectors.RECORDER_ROLES)
@require_http_methods(["GET", "POST"])
def incident_new(request: PageRequest) -> HttpResponse:
    schools = selectors.schools_for(request.user)
    screening = request.method == "POST" and "confirmed_screening_step" in request.POST
    form = IncidentForm(request.POST or None, request.FILES or None, schools=schools, screening=screening)
    matched: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                recorded_by=request.user,
                school=data["school"],
                occurred_on=data["occurred_on"],
                summary=data["summary"],
                description=data["description"],
                conduct=list(data["conduct"]),
                felony=bool(data.get("felony")),
                students=form.students(),
                purpose=data["purpose"],
                attachments=form.attachments(),
                confirmed_screening=bool(data.get("confirmed_screening")),
            )
        except InvalidInput as error:
            matched = [message for _, message in error.errors if "which suggests a student's" in message]
            if matched and not screening:
                # Show the confirmation step with the same answers.
                form = IncidentForm(request.POST, schools=schools, screening=True)
                form.is_valid()
            add_service_errors(form, error, incident_field_map())
        except NotTrained as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "The incident is recorded. " + incident.classifications.get().explanation
            )
            return redirect("incidents:detail", incident_id=incident.pk)
    return render(
        request,
        "incidents/new.html",
        {
            "form": form,
            "has_schools": schools.exists(),
            "units": selectors.units_of(request.user),
            "screening_step": "confirmed_screening" in form.fields,
            "matched": matched,
            "attachments_screened": text_screening_available(),
            "untrained": not is_trained(request.user),
        },
    )


@role_required(selectors.RECORDER_ROLES)
@require_http_methods(["GET"])
def incident_detail(request: PageRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    students = list(incident.students.all())
    for row in students:
        staff_access_record(
            user=request.user, student=row.student_sis_id, what="incident report", request=request
        )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "conduct": [CONDUCT.get(name, name) for name in incident.conduct],
            "students": students,
            "classifications": list(incident.classifications.all()),
            "routings": list(incident.routings.select_related("incident_student", "disclosure_entry")),
            "attachments": list(incident.attachments.all()),
            "may_reclassify": selectors.may_reclassify(request.user, incident),
        },
    )


@role_required(selectors.RECLASSIFIER_ROLES)
@require_http_methods(["GET", "POST"])
def incident_reclassify(request: PageRequest, incident_id: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    other = "discipline" if incident.is_law_enforcement else "law_enforcement_unit"
    form = ReclassifyForm(request.POST or None, initial={"record_category": other})
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_reclassify(
                incident_id=incident.pk,
                decided_by=request.user,
                record_category=form.cleaned_data["record_category"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The incident is reclassified; your reason is kept with it.")
            return redirect("incidents:detail", incident_id=incident.pk)
    return render(request, "incidents/reclassify.html", {"incident": incident, "form": form})
