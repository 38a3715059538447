"""School staff record a disclosure they already had to make: in an emergency, or a report of
suspected abuse to child-protective services."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from brightline.disclosures.services import after_the_fact_record
from brightline.errors import InvalidInput, NotAllowed
from brightline.roster.selectors import students_matching
from brightline.training.selectors import NotTrained, is_trained, require_trained
from brightline.ui import SCHOOL_STAFF, PageRequest, add_service_errors, role_required
from brightline.web.forms import AfterTheFactForm


@role_required(SCHOOL_STAFF)
@require_http_methods(["GET", "POST"])
def school_record(request: PageRequest) -> HttpResponse:
    form = AfterTheFactForm(request.POST or None)
    if request.method == "POST":
        # The training first: an account that may not record learns nothing about which students exist
        # or where they study (the student checks below answer only a trained recorder).
        try:
            require_trained(request.user, acting="recording a disclosure made after the fact")
        except NotTrained as error:
            form.is_valid()
            form.add_error(None, error.message)
            return render(
                request, "web/school/record.html", {"form": form, "untrained": not is_trained(request.user)}
            )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = students_matching(student_id=data["student_id"])
        if len(found) != 1:
            form.add_error("student_id", _("No student has this ID. Check it against the student's record."))
        else:
            student = found[0]
            try:
                after_the_fact_record(
                    student=student,
                    kind=data["kind"],
                    disclosed_at=data["disclosed_at"],
                    recipient_name=data["recipient_name"],
                    recipient_position=data.get("recipient_position") or "",
                    recipient_affiliation=data["recipient_affiliation"],
                    recipient_kind=data["recipient_kind"],
                    categories=list(data["categories"]),
                    details=data["details"],
                    recipients=form.recipients(),
                    recorded_by=request.user,
                    late_reason=data.get("late_reason") or "",
                )
            except InvalidInput as error:
                add_service_errors(form, error)
            except NotTrained as error:
                form.add_error(None, error.message)
            except NotAllowed:
                form.add_error(
                    "student_id",
                    _("This student is not at your school: ask their school or the records office."),
                )
            else:
                messages.success(
                    request,
                    _("Recorded in the record of disclosures of %(first)s %(last)s.")
                    % {"first": student.first_name, "last": student.last_name},
                )
                return redirect("web:school_record")
    return render(
        request, "web/school/record.html", {"form": form, "untrained": not is_trained(request.user)}
    )
