"""Policy pages: versions in public, drafting, the comment period, adoption, diffs and "what would change".

Public: the list of versions, each public version with its published comments and the committee's
summary, diffs, commenting and confirming a comment. Policy staff (administrator, superintendent,
legal advisor): drafts, the lifecycle, simulation and moderation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from brightline.accounts.lockout import client_ip
from brightline.errors import Conflict, InvalidInput, NotFound, ServiceError
from brightline.policy import selectors, services
from brightline.policy.forms import (
    AdoptForm,
    CommentForm,
    DraftForm,
    EffectiveForm,
    ModerateForm,
    OpenCommentForm,
    SimulateForm,
    ThemeForm,
)
from brightline.policy.models import Version, VersionStatus
from brightline.policy.services import POLICY_STAFF, comment_period_open
from brightline.policy.stored import draft_problems, replaced_shipped_cases
from brightline.ui import PageRequest, add_service_errors, role_required, sentence


def _version_or_404(user: object, number: int) -> Version:
    try:
        return selectors.version_get(user, number)
    except NotFound as error:
        raise Http404(error.message) from error


def versions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policy/versions.html",
        {
            "versions": selectors.versions_visible_to(request.user),
            "staff": selectors.is_policy_staff(request.user),
        },
    )


def _version_context(request: HttpRequest, version: Version, **forms: object) -> dict[str, object]:
    staff = selectors.is_policy_staff(request.user)
    previous = selectors.versions_visible_to(request.user).filter(number__lt=version.number).first()
    context: dict[str, object] = {
        "version": version,
        "staff": staff,
        "previous": previous,
        "comments": selectors.published_comments(version),
        "summary": selectors.comment_summary(version) if version.status != VersionStatus.DRAFT else None,
        "comment_open": comment_period_open(version),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "training": list(version.training_modules.all()),
        "themes": selectors.comment_themes(version),
    }
    if staff:
        context.update(
            {
                "open_form": forms.get("open_form") or OpenCommentForm(),
                "adopt_form": forms.get("adopt_form") or AdoptForm(),
                "theme_form": forms.get("theme_form") or _theme_form(version),
                "unanswered": services.comments_without_response(version),
                "effective_form": forms.get("effective_form") or EffectiveForm(),
                "simulate_form": SimulateForm(),
                "problems": draft_problems(version.text, version.test_suite)
                if version.status == VersionStatus.DRAFT
                else [],
                "replaced_cases": replaced_shipped_cases(version.test_suite),
            }
        )
    return context


def version(request: HttpRequest, number: int) -> HttpResponse:
    found = _version_or_404(request.user, number)
    return render(request, "policy/version.html", _version_context(request, found))


@role_required(POLICY_STAFF)
def draft_new(request: PageRequest) -> HttpResponse:
    effective = Version.objects.filter(status=VersionStatus.EFFECTIVE).first()
    initial = {"text": effective.text} if effective else {}
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.policy_draft_create(author=request.user, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft version {created.label} saved.")
            return redirect("policy:version", number=created.number)
    return render(request, "policy/draft_form.html", {"form": form, "version": None})


@role_required(POLICY_STAFF)
def draft_edit(request: PageRequest, number: int) -> HttpResponse:
    found = _version_or_404(request.user, number)
    if found.status != VersionStatus.DRAFT:
        messages.error(request, "Only a draft can be changed.")
        return redirect("policy:version", number=found.number)
    initial = {
        "label": found.label,
        "summary": found.summary,
        "text": found.text,
        "test_suite": found.test_suite,
    }
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_draft_update(version_id=found.pk, author=request.user, **form.cleaned_data)
        except (InvalidInput, Conflict) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("policy:version", number=found.number)
    return render(request, "policy/draft_form.html", {"form": form, "version": found})


@require_POST
@role_required(POLICY_STAFF)
def lifecycle(request: PageRequest, number: int) -> HttpResponse:
    """One POST target for the lifecycle forms of a version page: open comment, adopt, make effective."""
    found = _version_or_404(request.user, number)
    step = request.POST.get("step", "")
    forms: dict[str, object] = {}
    form: OpenCommentForm | AdoptForm | EffectiveForm
    try:
        if step == "open_comment":
            form = forms["open_form"] = OpenCommentForm(request.POST)
            if form.is_valid():
                services.policy_version_open_comment(
                    version_id=found.pk, opened_by=request.user, **form.cleaned_data
                )
                messages.success(request, f"Version {found.label} is open for public comment.")
                return redirect("policy:version", number=found.number)
        elif step == "adopt":
            form = forms["adopt_form"] = AdoptForm(request.POST)
            if form.is_valid():
                services.policy_version_adopt(
                    version_id=found.pk, recorded_by=request.user, **form.cleaned_data
                )
                messages.success(request, f"The committee's adoption of version {found.label} is recorded.")
                return redirect("policy:version", number=found.number)
        elif step == "make_effective":
            form = forms["effective_form"] = EffectiveForm(request.POST)
            if form.is_valid():
                services.policy_version_make_effective(
                    version_id=found.pk,
                    made_by=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                )
                messages.success(request, f"Version {found.label} takes effect.")
                return redirect("policy:version", number=found.number)
        else:
            messages.error(request, "Choose a step of the policy's lifecycle.")
            return redirect("policy:version", number=found.number)
    except ServiceError as error:
        add_service_errors(form, error)
    found.refresh_from_db()
    return render(request, "policy/version.html", _version_context(request, found, **forms), status=422)


def _theme_form(version: Version, data: Any = None) -> ThemeForm:
    choices = [
        (comment.pk, f"{comment.display_name}, {comment.submitted_at:%b %-d}: {comment.body[:80]}")
        for comment in selectors.published_comments(version)
    ]
    return ThemeForm(data, comments=choices)


@require_POST
@role_required(POLICY_STAFF)
def comment_theme(request: PageRequest, number: int) -> HttpResponse:
    """Publish the district's response to the comments on one theme."""
    found = _version_or_404(request.user, number)
    form = _theme_form(found, request.POST)
    if form.is_valid():
        try:
            services.policy_comment_theme_write(version_id=found.pk, author=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The response is published on the version's page.")
            return redirect("policy:version", number=found.number)
    return render(
        request, "policy/version.html", _version_context(request, found, theme_form=form), status=422
    )


@role_required(POLICY_STAFF)
def simulate(request: PageRequest, number: int) -> HttpResponse:
    found = _version_or_404(request.user, number)
    form = SimulateForm(request.GET or None)
    report = None
    if form.is_valid():
        report = selectors.what_would_change(request.user, found, form.cleaned_data["months"])
    return render(request, "policy/simulate.html", {"version": found, "form": form, "report": report})


def diff(request: HttpRequest) -> HttpResponse:
    try:
        old = int(request.GET.get("from", ""))
        new = int(request.GET.get("to", ""))
    except ValueError:
        return render(
            request,
            "policy/diff.html",
            {"diff": None, "versions": selectors.versions_visible_to(request.user)},
        )
    try:
        found = selectors.version_diff(request.user, old, new)
    except NotFound as error:
        raise Http404(error.message) from error
    return render(
        request, "policy/diff.html", {"diff": found, "versions": selectors.versions_visible_to(request.user)}
    )


@require_POST
def comment(request: HttpRequest, number: int) -> HttpResponse:
    found = _version_or_404(request.user, number)
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        verify_url = request.build_absolute_uri(reverse("policy:comment_verify", kwargs={"token": "TOKEN"}))
        try:
            services.policy_comment_submit(
                version_id=found.pk,
                ip=client_ip(request),
                verify_url=verify_url.replace("TOKEN", "{token}"),
                **form.cleaned_data,
            )
        except services.TooManyComments as error:
            form.add_error(None, sentence(error.message))
            status = 429
        except (InvalidInput, Conflict) as error:
            add_service_errors(form, error)
            status = error.status
        else:
            return render(request, "policy/comment_sent.html", {"version": found})
    context = _version_context(request, found, comment_form=form)
    return render(request, "policy/version.html", context, status=status)


def comment_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    if request.method == "POST":
        try:
            confirmed = services.policy_comment_verify(token=token)
        except NotFound as error:
            raise Http404(error.message) from error
        except Conflict as error:
            return render(
                request, "policy/comment_verify.html", {"problem": sentence(error.message)}, status=409
            )
        return render(request, "policy/comment_verify.html", {"confirmed": confirmed})
    return render(request, "policy/comment_verify.html", {"token": token})


@role_required(POLICY_STAFF)
def moderation(request: PageRequest) -> HttpResponse:
    return render(
        request,
        "policy/moderation.html",
        {"comments": selectors.moderation_queue(request.user), "form": ModerateForm()},
    )


@require_POST
@role_required(POLICY_STAFF)
def moderate(request: PageRequest, comment_id: int) -> HttpResponse:
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to publish the comment.")
        return redirect("policy:moderation")
    try:
        services.policy_comment_moderate(
            comment_id=comment_id,
            moderator=request.user,
            publish=form.cleaned_data["decision"] == "publish",
            reason=form.cleaned_data["reason"],
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except (InvalidInput, Conflict) as error:
        messages.error(request, sentence(error.message))
    else:
        messages.success(request, "Comment moderated.")
    return redirect("policy:moderation")
