"""The administrator's setup checklist: what is left before the district's first real request.

`setup_checklist(user=)` reads each item's state from where it lives (the policy in effect, the roster's
imports, training, agencies, the ledger's key and witnesses, official e-mail). Two items are facts only a
person can vouch for — the ledger's signing key is backed up, its public key is published where the
public can find it — and one is proven by doing it (a test e-mail reached the administrator): those are
confirmed with `setup_confirm`, each a `setup.confirmed` ledger entry, bound to the signing key of the
moment (a new key needs a new backup and a new publication).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brightline.accounts.models import OidcGroupRole, Role, User
from brightline.errors import InvalidInput, NotAllowed

KEY_BACKED_UP = "ledger_key_backed_up"
KEY_PUBLISHED = "ledger_key_published"
MAIL_TESTED = "mail_tested"
CONFIRMABLE = (KEY_BACKED_UP, KEY_PUBLISHED)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class SetupItem:
    key: str
    title: str
    done: bool
    state: str  # what is the case now, in a sentence
    link: str  # the page that fixes it
    link_text: str
    confirm: bool = False  # the administrator confirms it on the checklist itself


def _require_admin(user: Any) -> None:
    if getattr(user, "role", None) != Role.ADMIN or not getattr(user, "is_active", False):
        raise NotAllowed("only a district administrator sees and confirms the setup checklist")


def _key_file() -> str:
    """Where the ledger's signing key is: the file BRIGHTLINE_LEDGER_SIGNING_KEY_FILE names, else
    keys/ledger-ed25519.pem under the data directory."""
    import os

    from brightline.ledger.keys import KEY_FILE_VARIABLE, default_key_path

    configured = os.environ.get(KEY_FILE_VARIABLE, "")
    return f"{configured} ({KEY_FILE_VARIABLE})" if configured else str(default_key_path())


def _key_fingerprint() -> str | None:
    from brightline.ledger.keys import existing_public_key

    key = existing_public_key()
    return hashlib.sha256(key).hexdigest() if key is not None else None


def _confirmations(item: str) -> list[dict[str, Any]]:
    from brightline.ledger.models import LedgerEntry

    entries = (
        LedgerEntry.objects.filter(event_type="setup.confirmed", subject__setup=item)
        .select_related("record")
        .order_by("-index")[:20]
    )
    return [entry.record.record for entry in entries]


def _confirmed_for_key(item: str, fingerprint: str | None) -> dict[str, Any] | None:
    if fingerprint is None:
        return None
    for record in _confirmations(item):
        if record.get("key_sha256") == fingerprint:
            return record
    return None


def _when(record: dict[str, Any]) -> str:
    at = dt.datetime.fromisoformat(str(record["at"]))
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def _policy_item() -> SetupItem:
    from brightline.policy.stored import version_in_effect_at

    version = version_in_effect_at(timezone.now())
    return SetupItem(
        "policy",
        _("Policy adopted and in effect"),
        version is not None,
        _("Version %(label)s is in effect.") % {"label": version.label}
        if version is not None
        else _("No version of the policy is in effect: requests cannot be decided."),
        reverse("policy:versions"),
        _("Policy versions"),
    )


def _roster_item() -> SetupItem:
    from brightline.roster.models import RosterImport

    last = RosterImport.objects.order_by("-started_at", "-pk").first()
    taken = RosterImport.objects.filter(succeeded=True).order_by("-started_at", "-pk").first()
    fresh_after = timezone.now() - dt.timedelta(days=settings.ROSTER_FRESH_DAYS)
    link = reverse("administration:roster_imports")
    if taken is None:
        state = _("The roster was never imported: drop the SIS's OneRoster export in %(folder)s.") % {
            "folder": settings.ROSTER_DROP_DIR
        }
        done = False
    elif last is not None and not last.succeeded:
        state = _("The last import (%(when)s) was refused and changed nothing: its report says why.") % {
            "when": f"{timezone.localtime(last.started_at):%Y-%m-%d %H:%M}"
        }
        done = False
    elif taken.started_at < fresh_after:
        state = _("The last import was on %(when)s, more than %(days)s days ago.") % {
            "when": f"{timezone.localtime(taken.started_at):%Y-%m-%d}",
            "days": settings.ROSTER_FRESH_DAYS,
        }
        done = False
    else:
        state = _("Imported on %(when)s.") % {
            "when": f"{timezone.localtime(taken.started_at):%Y-%m-%d %H:%M}"
        }
        done = True
    return SetupItem("roster", _("Roster imported and fresh"), done, state, link, _("Roster imports"))


def _training_item(user: User) -> SetupItem:
    from brightline.training.selectors import staff_training

    version, rows = staff_training(user)
    untrained = [row.user for row in rows if not row.trained]
    if version is None:
        state, done = _("No policy is in effect, so there is nothing to train on yet."), False
    elif not rows:
        state, done = _("Nobody in the records office or among the reviewers has a sign-in yet."), False
    elif untrained:
        state = _("%(count)s of %(total)s people who act on requests have not completed the training.") % {
            "count": len(untrained),
            "total": len(rows),
        }
        done = False
    else:
        state, done = _("Everyone who acts on requests completed the training."), True
    return SetupItem(
        "training", _("Staff trained"), done, state, reverse("training:staff"), _("Staff training")
    )


def _agencies_item() -> SetupItem:
    from brightline.agencies.models import Agency

    unverified = Agency.objects.filter(verified=False).count()
    total = Agency.objects.count()
    if total == 0:
        state, done = _("No agency is registered yet."), False
    elif unverified:
        state = _("%(count)s of %(total)s agencies are not verified.") % {"count": unverified, "total": total}
        done = False
    else:
        state, done = _("Every agency is verified."), True
    return SetupItem(
        "agencies",
        _("Agencies verified"),
        done,
        state,
        reverse("web:office_agencies"),
        _("Agencies to verify"),
    )


def _key_items(fingerprint: str | None) -> list[SetupItem]:
    checklist = reverse("web:admin_settings") + "#setup-heading"
    backed_up = _confirmed_for_key(KEY_BACKED_UP, fingerprint)
    published = _confirmed_for_key(KEY_PUBLISHED, fingerprint)
    no_key = _("The ledger has no signing key yet: it is made with the first checkpoint.")
    return [
        SetupItem(
            KEY_BACKED_UP,
            _("Ledger signing key backed up"),
            backed_up is not None,
            no_key
            if fingerprint is None
            else _("Confirmed by %(who)s on %(when)s.")
            % {"who": backed_up["by_name"], "when": _when(backed_up)}
            if backed_up is not None
            else _("Copy the key file %(path)s to the district's offline backup, then confirm here.")
            % {"path": _key_file()},
            checklist,
            _("Confirm the backup"),
            confirm=fingerprint is not None,
        ),
        SetupItem(
            KEY_PUBLISHED,
            _("Ledger public key published"),
            published is not None,
            no_key
            if fingerprint is None
            else _("Published at %(where)s (confirmed %(when)s).")
            % {"where": published["where"], "when": _when(published)}
            if published is not None
            else _("Publish the key shown at /ledger/key on the district's own website, then confirm here."),
            checklist,
            _("Confirm where it is published"),
            confirm=fingerprint is not None,
        ),
    ]


def _mail_item() -> SetupItem:
    from brightline.notices.models import OfficialEmail, OfficialEmailState

    stuck = OfficialEmail.objects.filter(
        state__in=(OfficialEmailState.FAILED, OfficialEmailState.UNDELIVERABLE)
    ).count()
    tested = _confirmations(MAIL_TESTED)
    link = reverse("web:admin_settings") + "#undelivered-heading"
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        state, done = (
            _("E-mails are written to files or the console, not sent (BRIGHTLINE_EMAIL_BACKEND)."),
            False,
        )
    elif stuck:
        state, done = _("%(count)s official e-mails could not be delivered.") % {"count": stuck}, False
    elif not tested:
        state, done = _("Send yourself a test e-mail to prove that mail leaves the server."), False
    else:
        state, done = (
            _("A test e-mail was sent on %(when)s; none is stuck.") % {"when": _when(tested[0])},
            True,
        )
    return SetupItem("mail", _("Mail delivering"), done, state, link, _("Undelivered e-mails"))


def _witness_item() -> SetupItem:
    from brightline.ledger.models import Checkpoint, Cosignature, Witness

    latest = Checkpoint.objects.order_by("-pk").first()
    witnesses = Witness.objects.count()
    cosigned = latest is not None and Cosignature.objects.filter(checkpoint=latest).exists()
    if not witnesses:
        state = _("No witness is registered: nobody outside the district checks the ledger.")
    elif not cosigned:
        state = _("%(count)s witnesses are registered, but none cosigned the latest checkpoint.") % {
            "count": witnesses
        }
    else:
        state = _("A witness cosigned the latest checkpoint.")
    return SetupItem(
        "witness",
        _("A witness cosigning"),
        cosigned,
        state,
        reverse("administration:witnesses"),
        _("Witnesses"),
    )


def _sign_in_item() -> SetupItem:
    rows = OidcGroupRole.objects.count()
    if not settings.OIDC_ISSUER:
        state, done = _("Staff sign in with passwords (BRIGHTLINE_OIDC_ISSUER is not set)."), False
    elif not rows:
        state, done = _("No group of the provider gives a role yet: nobody can sign in through it."), False
    else:
        state, done = _("%(count)s groups give roles at sign-in.") % {"count": rows}, True
    return SetupItem(
        "sign_in",
        _("Staff sign-in through the district's provider"),
        done,
        state,
        reverse("administration:sign_in_groups"),
        _("Groups and roles"),
    )


def setup_checklist(*, user: Any) -> list[SetupItem]:
    """Every item of the setup checklist with its state and the page that fixes it (administrators)."""
    _require_admin(user)
    return [
        _policy_item(),
        _roster_item(),
        _training_item(user),
        _agencies_item(),
        *_key_items(_key_fingerprint()),
        _mail_item(),
        _witness_item(),
        _sign_in_item(),
    ]


@transaction.atomic
def setup_confirm(*, item: str, confirmed_by: User, where: str = "") -> None:
    """The administrator vouches that the ledger's key is backed up, or published at `where` (an https
    address). A `setup.confirmed` entry, bound to the key of the moment."""
    _require_admin(confirmed_by)
    if item not in CONFIRMABLE:
        raise InvalidInput([("item", _("This item cannot be confirmed here."))])
    fingerprint = _key_fingerprint()
    if fingerprint is None:
        raise InvalidInput(
            [("item", _("The ledger has no signing key yet: it is made with the first checkpoint."))]
        )
    record: dict[str, Any] = {"key_sha256": fingerprint}
    if item == KEY_PUBLISHED:
        parts = urlsplit(where.strip())
        if parts.scheme != "https" or not parts.netloc:
            raise InvalidInput([("where", _("Give the https address where the public key is published."))])
        record["where"] = where.strip()
    _append(item, confirmed_by, record)


def _append(item: str, by: User, record: dict[str, Any]) -> None:
    from brightline.ledger.services import ledger_append

    ledger_append(
        event_type="setup.confirmed",
        subject={"setup": item},
        record={"item": item, **record, "at": timezone.now(), "by": by.pk, "by_name": by.get_username()},
    )


def setup_mail_test(*, sent_by: User) -> str:
    """Send a test e-mail to the administrator's own address; once it has left, a `setup.confirmed`
    entry (`mail_tested`). Returns the address. A failure to send raises `InvalidInput` on `email`."""
    _require_admin(sent_by)
    if not sent_by.email:
        raise InvalidInput([("email", _("Your account has no e-mail address to send the test to."))])
    try:
        send_mail(
            "Bright Line: test e-mail",
            "This test e-mail shows that Bright Line's official e-mail leaves the server.",
            None,
            [sent_by.email],
        )
    except OSError as error:
        raise InvalidInput(
            [("email", _("The test e-mail could not be sent: %(error)s") % {"error": error})]
        ) from None
    with transaction.atomic():
        _append(MAIL_TESTED, sent_by, {"to_sha256": hashlib.sha256(sent_by.email.encode()).hexdigest()})
    return sent_by.email
