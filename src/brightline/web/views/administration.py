"""The administrator's pages: the district's settings with what is missing, the decisions about telling
families (`family_notice_by_administrator`), and the non-disclosure orders that seal entries (with
counsel). Thin: each calls one selector or service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from brightline.accounts.models import Role
from brightline.disclosures import selectors as disclosures_selectors
from brightline.disclosures import services as disclosures_services
from brightline.errors import Conflict, InvalidInput
from brightline.notices import selectors as notices_selectors
from brightline.notices import services as notices_services
from brightline.operations.setup import KEY_BACKED_UP, KEY_PUBLISHED, setup_checklist
from brightline.ui import DateInput, PageRequest, add_service_errors, role_required, sentence

ADMINISTRATORS = frozenset({Role.ADMIN})


@role_required(ADMINISTRATORS)
def admin_settings(request: PageRequest) -> HttpResponse:
    obligations = notices_selectors.obligation_settings(user=request.user)
    configuration = [
        ("District name", "BRIGHTLINE_DISTRICT_NAME", settings.DISTRICT_NAME),
        ("Time zone", "BRIGHTLINE_TIME_ZONE", settings.TIME_ZONE),
        ("Address of Bright Line (links in emails)", "BRIGHTLINE_SITE_URL", obligations.site_url),
        ("Email server", "BRIGHTLINE_EMAIL_HOST / _PORT", f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"),
        ("Emails are sent from", "BRIGHTLINE_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL),
        (
            "Decision deadline",
            "BRIGHTLINE_DECISION_DEADLINE_DAYS",
            f"{settings.DECISION_DEADLINE_BUSINESS_DAYS} business days",
        ),
        ("Advance notice period", "BRIGHTLINE_ADVANCE_NOTICE_DAYS", f"{settings.ADVANCE_NOTICE_DAYS} days"),
        (
            "Family-notice decisions due",
            "BRIGHTLINE_FAMILY_NOTICE_DECISION_DAYS",
            f"{obligations.family_notice_decision_days} business days after the request arrives",
        ),
        (
            "Staff sign-in through the district's provider",
            "BRIGHTLINE_OIDC_ISSUER / _CLIENT_ID",
            f"{settings.OIDC_ISSUER} ({settings.OIDC_CLIENT_ID})" if settings.OIDC_ISSUER else "not set",
        ),
        ("Roster drop folder", "BRIGHTLINE_ROSTER_DROP_DIR", str(settings.ROSTER_DROP_DIR)),
    ]
    return render(
        request,
        "web/administration/settings.html",
        {
            "obligations": obligations,
            "configuration": configuration,
            "setup": setup_checklist(user=request.user),
            "key_backed_up": KEY_BACKED_UP,
            "key_published": KEY_PUBLISHED,
        },
    )


@role_required(ADMINISTRATORS)
@require_POST
def admin_email_retry(request: PageRequest, email_id: int) -> HttpResponse:
    try:
        sent = notices_services.official_email_retry(email_id=email_id, retried_by=request.user)
    except InvalidInput as error:
        messages.error(request, sentence(error.errors[0][1]))
    except Conflict as error:
        messages.error(request, sentence(error.message))
    else:
        messages.success(request, f"The email to {sent.recipient_name} is queued again.")
    return redirect("web:admin_settings")


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label="Why the family is not told yet",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the decision; the ledger keeps its fingerprint.",
    )
    review_on = forms.DateField(label="Decide again on", widget=DateInput())


def _decisions_page(
    request: PageRequest, forms_by_decision: dict[int, WithholdForm] | None = None, status: int = 200
) -> HttpResponse:
    decisions = notices_selectors.family_notice_decisions_open(user=request.user)
    forms_by_decision = forms_by_decision or {}
    default_review = timezone.localdate() + dt.timedelta(days=14)
    rows: list[dict[str, Any]] = [
        {
            "decision": decision,
            "form": forms_by_decision.get(decision.pk)
            or WithholdForm(prefix=f"decision-{decision.pk}", initial={"review_on": default_review}),
        }
        for decision in decisions
    ]
    return render(
        request,
        "web/administration/family_notices.html",
        {"rows": rows, "now": timezone.now()},
        status=status,
    )


@role_required(ADMINISTRATORS)
def family_notice_decisions(request: PageRequest) -> HttpResponse:
    return _decisions_page(request)


@role_required(ADMINISTRATORS)
@require_POST
def family_notice_decide(request: PageRequest, decision_id: int) -> HttpResponse:
    action = request.POST.get("action")
    if action == "notify":
        try:
            notices = notices_services.family_notice_notify(decision_id=decision_id, decided_by=request.user)
        except Conflict as error:
            messages.error(request, sentence(str(error)))
        else:
            told = f"{len(notices)} notice{'s' if len(notices) != 1 else ''} queued"
            messages.success(
                request, f"The family can now see these entries in the record of disclosures; {told}."
            )
        return redirect("web:family_notice_decisions")
    form = WithholdForm(request.POST, prefix=f"decision-{decision_id}")
    if form.is_valid():
        try:
            notices_services.family_notice_withhold(
                decision_id=decision_id,
                decided_by=request.user,
                reason=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        except Conflict as error:
            messages.error(request, sentence(str(error)))
            return redirect("web:family_notice_decisions")
        else:
            review_on = form.cleaned_data["review_on"]
            messages.success(
                request, f"Withheld: decide again on {review_on:%B} {review_on.day}, {review_on:%Y}."
            )
            return redirect("web:family_notice_decisions")
    return _decisions_page(request, {decision_id: form}, status=422)


# Non-disclosure orders: counsel records each order's terms; an administrator or counsel reveals its
# entries early with a reason. The page names no student, only how many entries each order seals.

ORDER_KEEPERS = frozenset({Role.ADMIN, Role.LEGAL_ADVISOR})


class OrderTermsForm(forms.Form):
    ends_on = forms.DateField(
        label="The order ends on",
        required=False,
        widget=DateInput(),
        help_text="That day the entries become visible to the family and the family is told.",
    )
    until_further_order = forms.BooleanField(
        label="Until further order: counsel reviews it again", required=False
    )
    note = forms.CharField(label="Which order: the court, the docket number", required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("until_further_order") and cleaned.get("ends_on"):
            self.add_error("ends_on", "Leave the end date empty for an order until further order.")
        elif (
            not cleaned.get("until_further_order")
            and not cleaned.get("ends_on")
            and "ends_on" not in self.errors
        ):
            self.add_error("ends_on", "Give the day the order ends, or check “until further order”.")
        return cleaned


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why the family may be told now",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the court lifted the order. Kept with the order; the ledger keeps its fingerprint.",
    )


def _orders_page(
    request: PageRequest, forms_by_request: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    forms_by_request = forms_by_request or {}
    rows: list[dict[str, Any]] = []
    for standing in disclosures_selectors.nondisclosure_orders_in_force(user=request.user):
        key = str(standing.request.pk)
        rows.append(
            {
                "standing": standing,
                "terms": forms_by_request.get(f"terms-{key}")
                or OrderTermsForm(
                    prefix=f"terms-{key}",
                    initial={
                        "ends_on": standing.ends_on,
                        "until_further_order": standing.until_further_order and standing.order is not None,
                        "note": standing.order.note if standing.order is not None else "",
                    },
                ),
                "reveal": forms_by_request.get(f"reveal-{key}") or RevealForm(prefix=f"reveal-{key}"),
            }
        )
    return render(
        request,
        "web/administration/nondisclosure_orders.html",
        {
            "rows": rows,
            "ended": disclosures_selectors.nondisclosure_orders_ended(user=request.user),
            "now": timezone.now(),
            "review_days": settings.NONDISCLOSURE_REVIEW_DAYS,
        },
        status=status,
    )


@role_required(ORDER_KEEPERS)
def nondisclosure_orders(request: PageRequest) -> HttpResponse:
    return _orders_page(request)


@role_required(ORDER_KEEPERS)
@require_POST
def nondisclosure_order_terms(request: PageRequest, request_id: str) -> HttpResponse:
    form = OrderTermsForm(request.POST, prefix=f"terms-{request_id}")
    if form.is_valid():
        try:
            order = disclosures_services.nondisclosure_order_record(
                request_id=request_id,
                ends_on=None if form.cleaned_data["until_further_order"] else form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
                recorded_by=request.user,
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        except Conflict as error:
            messages.error(request, sentence(str(error)))
            return redirect("web:nondisclosure_orders")
        else:
            if order.ends_on is not None:
                day = order.ends_on
                messages.success(
                    request, f"{order.reference}: the order ends on {day:%B} {day.day}, {day:%Y}."
                )
            else:
                assert order.review_on is not None
                day = order.review_on
                messages.success(
                    request,
                    f"{order.reference}: in force until further order; review it again by {day:%B} {day.day}, {day:%Y}.",
                )
            return redirect("web:nondisclosure_orders")
    return _orders_page(request, {f"terms-{request_id}": form}, status=422)


@role_required(ORDER_KEEPERS)
@require_POST
def nondisclosure_order_reveal(request: PageRequest, request_id: str) -> HttpResponse:
    form = RevealForm(request.POST, prefix=f"reveal-{request_id}")
    if form.is_valid():
        try:
            order = disclosures_services.nondisclosure_order_reveal(
                request_id=request_id, revealed_by=request.user, reason=form.cleaned_data["reason"]
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        except Conflict as error:
            messages.error(request, sentence(str(error)))
            return redirect("web:nondisclosure_orders")
        else:
            messages.success(
                request,
                f"{order.reference}: the family can now see these entries in the record of disclosures and is "
                "sent a notice.",
            )
            return redirect("web:nondisclosure_orders")
    return _orders_page(request, {f"reveal-{request_id}": form}, status=422)
