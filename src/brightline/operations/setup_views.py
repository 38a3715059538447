"""The setup checklist's two actions (the checklist itself is on the administrator's settings page):
confirm that the ledger's key is backed up or published, and send a test e-mail. Thin: one service each."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brightline.accounts.models import Role
from brightline.errors import InvalidInput
from brightline.operations.setup import setup_confirm, setup_mail_test
from brightline.ui import PageRequest, role_required

ADMINISTRATORS = frozenset({Role.ADMIN})


def _back() -> HttpResponse:
    response = redirect("web:admin_settings")
    response["Location"] += "#setup-heading"
    return response


@role_required(ADMINISTRATORS)
@require_POST
def confirm(request: PageRequest, item: str) -> HttpResponse:
    try:
        setup_confirm(item=item, confirmed_by=request.user, where=request.POST.get("where", ""))
    except InvalidInput as error:
        # The service's messages are translated and say which field (address, item) is wrong.
        messages.error(request, error.errors[0][1])
    else:
        messages.success(request, _("Confirmed: the ledger keeps who confirmed it and when."))
    return _back()


@role_required(ADMINISTRATORS)
@require_POST
def mail_test(request: PageRequest) -> HttpResponse:
    try:
        address = setup_mail_test(sent_by=request.user)
    except InvalidInput as error:
        messages.error(request, error.errors[0][1])
    else:
        messages.success(request, _("A test e-mail was sent to %(address)s.") % {"address": address})
    return _back()
