"""Training pages: staff take the modules of the policy in effect; the records office sees who is
trained; policy staff write modules for a new version."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from brightline.accounts.models import STAFF_ROLES, Role
from brightline.errors import InvalidInput
from brightline.policy.selectors import version_get
from brightline.policy.services import POLICY_STAFF
from brightline.training import selectors, services
from brightline.training.forms import ModuleForm, QuizForm
from brightline.training.selectors import TRAINING_REPORT_ROLES
from brightline.ui import PageRequest, add_service_errors, role_required


@role_required(STAFF_ROLES)
def index(request: PageRequest) -> HttpResponse:
    statuses = selectors.training_for(request.user)
    return render(
        request,
        "training/index.html",
        {
            "statuses": statuses,
            "version": selectors.effective_version(),
            "trained": selectors.is_trained(request.user),
            "must_train": request.user.role in selectors.ACTING_ROLES,
            # A school's people record incidents and disclosures made after the fact; the district
            # office decides and releases: each is told what waits for the training.
            "records_at_school": request.user.role in (Role.PRINCIPAL, Role.SCHOOL_STAFF),
            "sees_report": request.user.role in TRAINING_REPORT_ROLES,
        },
    )


@role_required(STAFF_ROLES)
def module(request: PageRequest, module_id: int) -> HttpResponse:
    found = selectors.training_module_get(request.user, module_id)
    completion = found.completions.filter(user=request.user).first()
    form = QuizForm(request.POST or None, module=found)
    if request.method == "POST" and completion is None and form.is_valid():
        try:
            services.training_complete(
                user=request.user,
                module_id=found.pk,
                answers=form.answers(),
                attested=bool(form.cleaned_data.get("attested")),
            )
        except InvalidInput as error:
            add_service_errors(
                form, error, {f"answers.{i}": f"answer_{i}" for i in range(len(found.questions))}
            )
        else:
            messages.success(request, f"You completed “{found.title}”.")
            return redirect("training:index")
    return render(request, "training/module.html", {"module": found, "form": form, "completion": completion})


@role_required(TRAINING_REPORT_ROLES)
def staff(request: PageRequest) -> HttpResponse:
    version, rosters = selectors.staff_training_by_school(request.user)
    people = {row.user.pk: row for roster in rosters for row in roster.rows}
    return render(
        request,
        "training/staff.html",
        {
            "version": version,
            "rosters": rosters,
            "people": len(people),
            "untrained": sum(not row.trained for row in people.values()),
            "district_office": selectors.DISTRICT_OFFICE,
        },
    )


@role_required(POLICY_STAFF)
def module_new(request: PageRequest, number: int) -> HttpResponse:
    version = version_get(request.user, number)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_module_create(
                version_id=version.pk,
                author=request.user,
                title=form.cleaned_data["title"],
                content=form.cleaned_data["content"],
                questions=form.cleaned_data["quiz"],
                attestation=form.cleaned_data["attestation"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"questions": "quiz"})
        else:
            messages.success(request, f"Training for version {version.label} added.")
            return redirect("policy:version", number=version.number)
    return render(request, "training/module_new.html", {"version": version, "form": form})
