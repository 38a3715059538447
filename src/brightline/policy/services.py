"""Writes for the policy lifecycle: drafts, the public comment period, adoption, taking effect, comments.

Every function is one transaction and appends its ledger entry inside it (event types `policy.*`).
Who may call what is in policy/README.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from brightline.accounts.models import Role, User
from brightline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from brightline.ledger.services import ledger_append
from brightline.policy import engine
from brightline.policy.models import Comment, CommentStatus, CommentTheme, Version, VersionStatus
from brightline.policy.stored import draft_problems
from brightline.vocabulary import CATEGORIES, RULE_IDS

# Who drafts, opens comment, records the committee's vote, makes a version effective and moderates.
POLICY_STAFF = frozenset({Role.ADMIN, Role.LEGAL_ADVISOR, Role.SUPERINTENDENT})

DEFAULT_SUMMARY = (
    "The policy Bright Line ships (version 2), as written in DOMAIN.md: refusals first (civil immigration "
    "enforcement, directly or through another agency; the regional intelligence center; immigration data; "
    "school discipline to police without legal process, an emergency or the family's consent; abuse files "
    "outside child protective services), then legal process and every federal request reviewed by counsel, "
    "then releases without review (emergencies declared by emergency responders and found real by the "
    "district, abuse investigations, foster care, school police records, directory information, consent, "
    "school officials, parents), none of them in bulk (more than 10 students), then review by the "
    "superintendent."
)
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_TEXT = 200_000
MAX_COMMENT = 5_000
COMMENTS_PER_ADDRESS_PER_HOUR = 5
COMMENTS_PER_EMAIL_PER_DAY = 3
VERIFY_WITHIN = dt.timedelta(hours=48)

_RULE_MENTION = re.compile(r"\b(?:rules?\s+)?(F[1-7]|R[1-8]|V[1-3])\b|\brules?\s+(L|D)\b", re.IGNORECASE)


class TooManyComments(NotAllowed):
    """One address or one email sent too many comments lately."""

    status = 429


def _require_policy_staff(user: User, what: str) -> None:
    if user.role not in POLICY_STAFF:
        raise NotAllowed(f"only the administrator, the superintendent or the legal advisor {what}")


def _locked_version(version_id: int) -> Version:
    version = Version.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound("no such policy version")
    return version


def _record(version: Version) -> dict[str, object]:
    return {
        "version": version.number,
        "label": version.label,
        "sha256": version.sha256,
        "status": version.status,
    }


def _check_draft_fields(*, label: str, text: str, summary: str, test_suite: str) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if not LABEL.match(label or ""):
        errors.append(("label", "1 to 64 letters, digits, dots, dashes or underscores, such as 2026.2"))
    if not summary.strip():
        errors.append(("summary", "say in plain language what this version says and changes"))
    if not text.strip():
        errors.append(("text", "the Cedar text of the policy is required"))
    elif len(text) > MAX_TEXT:
        errors.append(("text", f"at most {MAX_TEXT} characters"))
    else:
        errors.extend(("text", problem) for problem in engine.validate_policy(text))
    if test_suite.strip():
        from brightline.policy.suites import SuiteError, load_suite_text

        try:
            load_suite_text(test_suite, "attached suite")
        except SuiteError as error:
            errors.append(("test_suite", str(error)))
    return errors


def _label_taken(label: str, exclude: int | None = None) -> bool:
    taken = Version.objects.filter(label=label)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    return taken.exists()


@transaction.atomic
def policy_draft_create(
    *, author: User, label: str, text: str, summary: str, test_suite: str = ""
) -> Version:
    """A new draft. The text must parse and type-check against the schema (its tests run later, before
    the draft opens for comment)."""
    _require_policy_staff(author, "drafts the policy")
    label = label.strip()
    errors = _check_draft_fields(label=label, text=text, summary=summary, test_suite=test_suite)
    if not errors and _label_taken(label):
        errors.append(("label", f"version {label} already exists"))
    if errors:
        raise InvalidInput(errors)
    # The numbers are a sequence; the unique constraint settles a race between two drafters.
    number = (Version.objects.select_for_update().aggregate(top=Max("number"))["top"] or 0) + 1
    version = Version.objects.create(
        number=number,
        label=label,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        summary=summary.strip(),
        test_suite=test_suite.strip(),
        status=VersionStatus.DRAFT,
        created_by=author,
        created_by_name=author.get_full_name() or author.username,
        created_at=timezone.now(),
    )
    ledger_append(
        event_type="policy.draft_created",
        subject={"policy_version": version.pk},
        record={**_record(version), "by": author.pk},
    )
    return version


@transaction.atomic
def policy_draft_update(
    *, version_id: int, author: User, label: str, text: str, summary: str, test_suite: str = ""
) -> Version:
    """Change a draft. Once a version opens for comment its text never changes."""
    _require_policy_staff(author, "drafts the policy")
    version = _locked_version(version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict("only a draft can be changed; this version is " + version.get_status_display().lower())
    label = label.strip()
    errors = _check_draft_fields(label=label, text=text, summary=summary, test_suite=test_suite)
    if not errors and _label_taken(label, exclude=version.pk):
        errors.append(("label", f"version {label} already exists"))
    if errors:
        raise InvalidInput(errors)
    version.label = label
    version.text = text
    version.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    version.summary = summary.strip()
    version.test_suite = test_suite.strip()
    version.save()
    ledger_append(
        event_type="policy.draft_updated",
        subject={"policy_version": version.pk},
        record={**_record(version), "by": author.pk},
    )
    return version


@transaction.atomic
def policy_version_open_comment(
    *, version_id: int, opened_by: User, opens_on: dt.date, closes_on: dt.date
) -> Version:
    """Open a draft for public comment from `opens_on` to `closes_on` (the district's dates, inclusive).

    Every shipped policy test and every case of the draft's attached suite must pass first.
    """
    _require_policy_staff(opened_by, "opens a draft for comment")
    version = _locked_version(version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            "only a draft opens for comment; this version is " + version.get_status_display().lower()
        )
    errors: list[tuple[str, str]] = []
    today = timezone.localdate()
    if closes_on < opens_on:
        errors.append(("closes_on", "the comment period closes after it opens"))
    if closes_on < today:
        errors.append(("closes_on", "the comment period cannot close in the past"))
    problems = draft_problems(version.text, version.test_suite)
    errors.extend(("text", problem) for problem in problems)
    if errors:
        raise InvalidInput(errors)
    version.status = VersionStatus.COMMENT
    version.comment_opens_on = opens_on
    version.comment_closes_on = closes_on
    version.save()
    ledger_append(
        event_type="policy.comment_opened",
        subject={"policy_version": version.pk},
        record={
            **_record(version),
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "by": opened_by.pk,
        },
    )
    return version


@transaction.atomic
def policy_version_adopt(
    *,
    version_id: int,
    recorded_by: User,
    voted_on: dt.date,
    minutes_url: str,
    meeting: str,
    result: str,
) -> Version:
    """Record the school committee's vote adopting a version whose comment period has closed: its date,
    the meeting and the result. Refused while a published comment has no response from the district
    (`policy_comment_theme_write`) or a confirmed comment waits for moderation."""
    _require_policy_staff(recorded_by, "records the committee's vote")
    version = _locked_version(version_id)
    if version.status != VersionStatus.COMMENT:
        raise Conflict(
            "only a version that went through public comment can be adopted; this version is "
            + version.get_status_display().lower()
        )
    errors: list[tuple[str, str]] = []
    today = timezone.localdate()
    closes_on = version.comment_closes_on
    if closes_on is not None and today <= closes_on:
        errors.append(("voted_on", f"the comment period is open until {closes_on:%B %-d, %Y}"))
    elif closes_on is not None and voted_on <= closes_on:
        errors.append(("voted_on", "the committee votes after the comment period closes"))
    if voted_on > today:
        errors.append(("voted_on", "record the vote once it has taken place"))
    try:
        URLValidator(schemes=["https", "http"])(minutes_url)
    except ValidationError:
        errors.append(("minutes_url", "a link to the minutes of the meeting (https://…)"))
    if not meeting.strip():
        errors.append(("meeting", "name the school committee meeting that voted"))
    if not result.strip():
        errors.append(("result", "the result of the vote, such as 6 to 1"))
    waiting = Comment.objects.filter(version=version, status=CommentStatus.PENDING).count()
    if waiting:
        errors.append(
            ("comments", f"{waiting} confirmed comment(s) wait for moderation: publish or decline them first")
        )
    unanswered = comments_without_response(version)
    if unanswered:
        errors.append(
            (
                "comments",
                f"{len(unanswered)} published comment(s) have no response from the district: publish the "
                "response to the comments, theme by theme, before the committee's vote is recorded",
            )
        )
    if errors:
        raise InvalidInput(errors)
    version.status = VersionStatus.ADOPTED
    version.adopted_on = voted_on
    version.minutes_url = minutes_url
    version.vote_meeting = meeting.strip()
    version.vote_result = result.strip()
    version.save()
    ledger_append(
        event_type="policy.adopted",
        subject={"policy_version": version.pk},
        record={
            **_record(version),
            "voted_on": voted_on.isoformat(),
            "minutes_url": minutes_url,
            "meeting": version.vote_meeting,
            "result": version.vote_result,
            "by": recorded_by.pk,
        },
    )
    return version


def comments_without_response(version: Version) -> list[Comment]:
    """The version's published comments that no theme of the district's response answers."""
    return list(
        Comment.objects.filter(version=version, status=CommentStatus.PUBLISHED, themes__isnull=True).order_by(
            "submitted_at", "pk"
        )
    )


THEME_TITLE_MAX = 200


@transaction.atomic
def policy_comment_theme_write(
    *,
    version_id: int,
    author: User,
    title: str,
    changed: bool,
    response: str,
    comment_ids: list[int],
) -> CommentTheme:
    """Publish the district's response to the comments on one theme: the comments it answers (published
    comments of this version), and what changed in the draft or why not. Written while the version is
    open for comment or after its period closed, before the committee's vote."""
    _require_policy_staff(author, "answers public comments")
    version = _locked_version(version_id)
    if version.status != VersionStatus.COMMENT:
        raise Conflict(
            "the district answers comments on a version in public comment, before its adoption; this "
            "version is " + version.get_status_display().lower()
        )
    errors: list[tuple[str, str]] = []
    title = title.strip()
    if not title:
        errors.append(("title", "name the theme the comments raise"))
    elif len(title) > THEME_TITLE_MAX:
        errors.append(("title", f"at most {THEME_TITLE_MAX} characters"))
    if not response.strip():
        errors.append(("response", "say what changed in the draft for this theme, or why nothing changed"))
    published = set(
        Comment.objects.filter(version=version, status=CommentStatus.PUBLISHED).values_list("pk", flat=True)
    )
    if not comment_ids:
        errors.append(("comment_ids", "choose the published comments this response answers"))
    elif set(comment_ids) - published:
        errors.append(("comment_ids", "only published comments on this version can be answered"))
    if errors:
        raise InvalidInput(errors)
    theme = CommentTheme.objects.create(
        version=version,
        title=title,
        changed=changed,
        response=response.strip(),
        written_by=author,
        written_by_name=author.get_full_name() or author.username,
        written_at=timezone.now(),
    )
    theme.comments.set(sorted(set(comment_ids)))
    ledger_append(
        event_type="policy.comment_response_published",
        subject={"policy_version": version.pk, "comment_theme": theme.pk},
        record={
            **_record(version),
            "theme": theme.title,
            "changed": changed,
            "response_sha256": hashlib.sha256(theme.response.encode("utf-8")).hexdigest(),
            "comments": sorted(set(comment_ids)),
            "by": author.pk,
        },
    )
    return theme


@transaction.atomic
def policy_version_make_effective(
    *, version_id: int, made_by: User, effective_from: dt.datetime | None = None
) -> Version:
    """An adopted version takes effect at `effective_from` (now, or later); the version in effect until
    then is superseded at that moment. Requests keep the version in effect when they were received.

    The version's training must exist first: staff cannot act under a policy nobody could learn. It is
    read through the training app's relation to the version (`training_modules`): policy imports no
    app above it.
    """
    _require_policy_staff(made_by, "makes a version effective")
    now = timezone.now()
    effective_from = effective_from or now
    # Lock the current effective version first, then this one: two concurrent callers queue here.
    current = Version.objects.select_for_update().filter(status=VersionStatus.EFFECTIVE).first()
    version = _locked_version(version_id)
    if version.status != VersionStatus.ADOPTED:
        raise Conflict(
            "only an adopted version can take effect; this version is " + version.get_status_display().lower()
        )
    errors: list[tuple[str, str]] = []
    if effective_from < now - dt.timedelta(minutes=1):
        # Earlier requests keep the version they were triaged under: the past is not rewritten.
        errors.append(("effective_from", "a version takes effect now or later, never in the past"))
    if (
        current is not None
        and current.effective_from is not None
        and effective_from <= current.effective_from
    ):
        errors.append(("effective_from", f"after version {current.number} took effect"))
    if not version.training_modules.exists():
        errors.append(("training", f"add the training for version {version.number} first"))
    if errors:
        raise InvalidInput(errors)
    if current is not None:
        current.status = VersionStatus.SUPERSEDED
        current.superseded_at = effective_from
        current.save()
        ledger_append(
            event_type="policy.superseded",
            subject={"policy_version": current.pk},
            record={**_record(current), "superseded_at": effective_from.isoformat(), "by": made_by.pk},
        )
    version.status = VersionStatus.EFFECTIVE
    version.effective_from = effective_from
    version.save()
    ledger_append(
        event_type="policy.effective",
        subject={"policy_version": version.pk},
        record={
            **_record(version),
            "effective_from": effective_from.isoformat(),
            "supersedes": current.number if current else None,
            "by": made_by.pk,
        },
    )
    return version


def record_shipped_default(*, recorded_by: User | None = None) -> Version | None:
    """The shipped default policy (policy/default) as a new version, unless its text is recorded.

    With no version at all (a new database, or one emptied by a test) it becomes version 1, effective
    from the beginning, exactly as the data migration does. Otherwise it becomes a draft: a new shipped
    default never governs a district by itself; it goes through comment and adoption like any draft.
    Like the migration, it writes no ledger entry: `policy_default_seed` is the district's act.
    """
    text = engine.DEFAULT_POLICY.read_text(encoding="utf-8")
    label = (engine.DEFAULT_DIR / "VERSION").read_text(encoding="utf-8").strip() or "default"
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if Version.objects.filter(sha256=sha256).exists():
        return None
    first = not Version.objects.exists()
    number = (Version.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    if _label_taken(label):
        label = f"{label}+{sha256[:8]}"
    return Version.objects.create(
        number=number,
        label=label,
        policy_id="default",
        text=text,
        sha256=sha256,
        summary=DEFAULT_SUMMARY,
        status=VersionStatus.EFFECTIVE if first else VersionStatus.DRAFT,
        created_by=recorded_by,
        created_by_name=(recorded_by.get_full_name() or recorded_by.username)
        if recorded_by
        else "Bright Line",
        created_at=timezone.now(),
    )


@transaction.atomic
def policy_default_seed(*, recorded_by: User | None = None) -> Version | None:
    """`brightline policy seed-default`: record the shipped default as a version (see
    `record_shipped_default`), with its ledger entry. None when its text was already recorded."""
    version = record_shipped_default(recorded_by=recorded_by)
    if version is not None:
        ledger_append(
            event_type="policy.default_recorded",
            subject={"policy_version": version.pk},
            record={**_record(version), "by": recorded_by.pk if recorded_by else None},
        )
    return version


# ---------------------------------------------------------------------------------------------------
# Public comment
# ---------------------------------------------------------------------------------------------------


def address_hash(ip: str | None) -> str:
    """A keyed hash of the address a comment came from: enough to count, not to identify."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, (ip or "unknown").encode("utf-8"), hashlib.sha256).hexdigest()


def mentions(body: str) -> tuple[list[str], list[str]]:
    """The rule ids (in DOMAIN order) and record categories a comment names."""
    found = {(match.group(1) or match.group(2)).upper() for match in _RULE_MENTION.finditer(body)}
    rules = [rule for rule in RULE_IDS if rule in found]
    lowered = body.lower()
    categories = [
        category
        for category in CATEGORIES
        if re.search(rf"\b{re.escape(category.replace('_', ' '))}\b", lowered.replace("_", " "))
    ]
    return rules, categories


def comment_period_open(version: Version, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        version.status == VersionStatus.COMMENT
        and version.comment_opens_on is not None
        and version.comment_closes_on is not None
        and version.comment_opens_on <= today <= version.comment_closes_on
    )


@transaction.atomic
def policy_comment_submit(
    *, version_id: int, body: str, email: str, name: str = "", ip: str | None, verify_url: str
) -> Comment:
    """Anyone comments on a version open for comment. The comment waits until the commenter follows the
    link sent to `email` (`verify_url` with `{token}` in it), then for a moderator.

    Limits: COMMENTS_PER_ADDRESS_PER_HOUR from one address, COMMENTS_PER_EMAIL_PER_DAY per email.
    """
    version = Version.objects.filter(pk=version_id).first()
    if version is None or not version.is_public:
        raise NotFound("no such policy version")
    if not comment_period_open(version):
        raise Conflict("this version is not open for public comment")
    email = (email or "").strip().lower()
    name = (name or "").strip()
    body = (body or "").strip()
    errors: list[tuple[str, str]] = []
    if not body:
        errors.append(("body", "write your comment"))
    elif len(body) > MAX_COMMENT:
        errors.append(("body", f"at most {MAX_COMMENT} characters"))
    try:
        validate_email(email)
    except ValidationError:
        errors.append(("email", "an email address we can send the confirmation link to"))
    if len(name) > 120:
        errors.append(("name", "at most 120 characters"))
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    hashed = address_hash(ip)
    if (
        Comment.objects.filter(ip_hash=hashed, submitted_at__gt=now - dt.timedelta(hours=1)).count()
        >= COMMENTS_PER_ADDRESS_PER_HOUR
    ):
        raise TooManyComments("too many comments from this address in the last hour; please try again later")
    if (
        Comment.objects.filter(email=email, submitted_at__gt=now - dt.timedelta(days=1)).count()
        >= COMMENTS_PER_EMAIL_PER_DAY
    ):
        raise TooManyComments("too many comments from this email address today; please try again tomorrow")
    token = secrets.token_urlsafe(32)
    rules, categories = mentions(body)
    comment = Comment.objects.create(
        version=version,
        name=name,
        email=email,
        body=body,
        rules_mentioned=rules,
        categories_mentioned=categories,
        ip_hash=hashed,
        token_sha256=hashlib.sha256(token.encode()).hexdigest(),
        status=CommentStatus.UNVERIFIED,
        submitted_at=now,
    )
    ledger_append(
        event_type="policy.comment_received",
        subject={"policy_version": version.pk, "policy_comment": comment.pk},
        record={"comment": comment.pk, "version": version.number, "body_sha256": _sha(body)},
    )
    link = verify_url.replace("{token}", token)
    message = (
        f"Thank you for commenting on version {version.label} of the district's policy on requests for "
        f"student records.\n\nTo confirm your comment, open this link within 48 hours:\n{link}\n\n"
        "If you did not write a comment, ignore this message: nothing is published without confirmation."
    )
    transaction.on_commit(
        lambda: send_mail(
            f"Confirm your comment on policy version {version.label}",
            message,
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
    )
    return comment


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def policy_comment_verify(*, token: str) -> Comment:
    """The commenter followed the link: the comment goes to the moderation queue."""
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    comment = Comment.objects.select_for_update().filter(token_sha256=digest).first()
    if comment is None:
        raise NotFound("this confirmation link is not valid")
    if comment.status != CommentStatus.UNVERIFIED:
        return comment
    now = timezone.now()
    if now - comment.submitted_at > VERIFY_WITHIN:
        raise Conflict("this confirmation link has expired; please send your comment again")
    comment.status = CommentStatus.PENDING
    comment.verified_at = now
    comment.save(update_fields=["status", "verified_at"])
    ledger_append(
        event_type="policy.comment_verified",
        subject={"policy_version": comment.version_id, "policy_comment": comment.pk},
        record={"comment": comment.pk, "status": comment.status},
    )
    return comment


@transaction.atomic
def policy_comment_moderate(*, comment_id: int, moderator: User, publish: bool, reason: str = "") -> Comment:
    """Publish a confirmed comment, or keep it from the public page with a reason (abuse, personal
    information about a student …). Counts in the committee's summary include both."""
    _require_policy_staff(moderator, "moderates comments")
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise NotFound("no such comment")
    if comment.status != CommentStatus.PENDING:
        raise Conflict("this comment is not waiting for moderation")
    if not publish and not reason.strip():
        raise InvalidInput([("reason", "say why the comment is not published")])
    comment.status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
    comment.moderated_by = moderator
    comment.moderated_by_name = moderator.get_full_name() or moderator.username
    comment.moderated_at = timezone.now()
    comment.moderation_reason = reason.strip()
    comment.save()
    ledger_append(
        event_type="policy.comment_moderated",
        subject={"policy_version": comment.version_id, "policy_comment": comment.pk},
        record={
            "comment": comment.pk,
            "status": comment.status,
            "by": moderator.pk,
            "reason": comment.moderation_reason,
        },
    )
    return comment
