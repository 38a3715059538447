"""The words of a published report as the public reads them, through the gettext catalogs.

A report is published once, in English, and never computed again (`services.report_publish`); its pages
translate the published labels when they are shown. Every label a report can hold is listed here
(`gettext_noop`: the catalog check reads them), and `public_words` gives it back in the reader's
language. Presentational only: nothing here changes a figure.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext, gettext_noop

from brightline.transparency.flows import FLOW_TABLES, HEADINGS, VALUES

# The labels `reports.py` publishes: table titles and headings, outcomes, the vocabulary's rows, and
# what a suppressed cell shows.
PUBLISHED_LABELS: tuple[str, ...] = (
    gettext_noop("Requests by requester kind and outcome"),
    gettext_noop("Requests by purpose and outcome"),
    gettext_noop("Requests by legal process and outcome"),
    gettext_noop("Requests by under a non-disclosure order and outcome"),
    gettext_noop("Requests by emergency stated and active when received and outcome"),
    gettext_noop("Students named in requests by requester kind and outcome"),
    gettext_noop("Students named in requests by purpose and outcome"),
    gettext_noop("Students named in requests by legal process and outcome"),
    gettext_noop("Students named in requests by under a non-disclosure order and outcome"),
    gettext_noop("Students named in requests by emergency stated and active when received and outcome"),
    gettext_noop("Disclosures recorded after the fact, by recipient"),
    gettext_noop("Requester kind"),
    gettext_noop("Purpose"),
    gettext_noop("Legal process"),
    gettext_noop("Under a non-disclosure order"),
    gettext_noop("Emergency stated and active when received"),
    gettext_noop("Recipient kind"),
    gettext_noop("Released in full"),
    gettext_noop("Released in part"),
    gettext_noop("Nothing released"),
    gettext_noop("Refused by the policy"),
    gettext_noop("Pending"),
    gettext_noop("Emergency disclosure"),
    gettext_noop("Report of suspected abuse or neglect"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("fewer than 10"),
    gettext_noop("withheld"),
    gettext_noop("no requests"),
    gettext_noop("no decided requests"),
    gettext_noop("not published: fewer than 10 decided requests"),
    # Requester kinds, purposes and legal processes as `reports.humanize` writes them.
    gettext_noop("Municipal police"),
    gettext_noop("Transit police"),
    gettext_noop("State police"),
    gettext_noop("Federal law enforcement"),
    gettext_noop("Immigration enforcement"),
    gettext_noop("Fusion center"),
    gettext_noop("Prosecutor"),
    gettext_noop("Court"),
    gettext_noop("Probation"),
    gettext_noop("Juvenile justice"),
    gettext_noop("Child protective services"),
    gettext_noop("Public health"),
    gettext_noop("School official"),
    gettext_noop("School district"),
    gettext_noop("Military recruiter"),
    gettext_noop("College"),
    gettext_noop("Researcher"),
    gettext_noop("Media"),
    gettext_noop("Parent"),
    gettext_noop("Eligible student"),
    gettext_noop("Other"),
    gettext_noop("Criminal investigation"),
    gettext_noop("Civil immigration enforcement"),
    gettext_noop("Health safety emergency"),
    gettext_noop("Child abuse investigation"),
    gettext_noop("Foster care case plan"),
    gettext_noop("Court proceeding"),
    gettext_noop("School transfer"),
    gettext_noop("Recruitment"),
    gettext_noop("Research"),
    gettext_noop("Journalism"),
    gettext_noop("Educational interest"),
    gettext_noop("Parent access"),
    gettext_noop("Welfare check"),
    gettext_noop("No legal process"),
    gettext_noop("Subpoena"),
    gettext_noop("Administrative subpoena"),
    gettext_noop("Grand jury subpoena"),
    gettext_noop("Court order"),
    gettext_noop("Judicial warrant"),
    gettext_noop("Administrative warrant"),
)

# The labels of the flow tables and their rows (flows.py): the same words, read from where they are defined.
FLOW_LABELS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            *(label for values in VALUES.values() for _, label in values),
            *HEADINGS.values(),
            *(text for table in FLOW_TABLES for text in (table.title, table.shows, table.cannot_show)),
            "Withheld",
        ]
    )
)
PUBLISHED_LABELS = PUBLISHED_LABELS + tuple(label for label in FLOW_LABELS if label not in PUBLISHED_LABELS)

_SHARE = re.compile(r"^(?P<percent>[\d.]+)% \((?P<part>[\d,]+) of (?P<whole>[\d,]+) requests\)$")
_NOT_PUBLISHED = re.compile(r"^not published: (?P<display>.+) requests$")


def public_words(label: object) -> str:
    """A published label in the reader's language (a number, or a label a later method adds, as it is)."""
    text = str(label)
    return gettext(text) if text in PUBLISHED_LABELS else text


def share_words(display: str) -> str:
    """A published share ("12.5% (3 of 24 requests)", "not published: fewer than 10 requests") in words."""
    found = _SHARE.match(display)
    if found:
        return gettext("%(percent)s%% (%(part)s of %(whole)s requests)") % found.groupdict()
    found = _NOT_PUBLISHED.match(display)
    if found:
        return gettext("not published: %(display)s requests") % {"display": public_words(found["display"])}
    return public_words(display)


def month_name(month: int) -> str:
    """The month's name in the reader's language, never half translated."""
    from brightline.notices.texts import month_in

    return month_in(get_language() or "en", month)
