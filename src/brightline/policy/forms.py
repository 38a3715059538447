"""Forms of the policy pages. They check shape; the services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms

from brightline.ui import DateInput, local_datetime_field


class DraftForm(forms.Form):
    label = forms.CharField(label="Version", max_length=64, help_text="Such as 2026.2.")
    summary = forms.CharField(
        label="Plain-language summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What this version says and what it changes, for families and the committee.",
    )
    text = forms.CharField(
        label="Cedar text",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "brightline-cedar"}),
        help_text="Checked against the schema when you save.",
    )
    test_suite = forms.CharField(
        label="Attached test suite (JSON)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=(
            "Cases this draft must decide, in the policy test-suite format. A case named like a shipped "
            "case replaces it. Every test must pass before the draft opens for comment."
        ),
    )


class OpenCommentForm(forms.Form):
    opens_on = forms.DateField(label="Comment period opens on", widget=DateInput())
    closes_on = forms.DateField(label="Comment period closes on", widget=DateInput())


class AdoptForm(forms.Form):
    voted_on = forms.DateField(label="Date of the school committee's vote", widget=DateInput())
    meeting = forms.CharField(
        label="Meeting", max_length=200, help_text="As the minutes name it, such as “Regular meeting”."
    )
    result = forms.CharField(label="Result of the vote", max_length=200, help_text="Such as “6 to 1”.")
    minutes_url = forms.URLField(label="Link to the minutes", assume_scheme="https")


class ThemeForm(forms.Form):
    """The district's response to the comments on one theme."""

    title = forms.CharField(
        label="Theme", max_length=200, help_text="What the comments raise, in a few words."
    )
    changed = forms.TypedChoiceField(
        label="Did the draft change for it?",
        choices=[("yes", "Yes, the draft changed"), ("no", "No, the draft did not change")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    response = forms.CharField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What changed in the draft, or why nothing changed.",
    )
    comment_ids = forms.TypedMultipleChoiceField(
        label="Comments this answers", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, comments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["comment_ids"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = comments


class EffectiveForm(forms.Form):
    effective_from = local_datetime_field(
        "Takes effect at",
        required=False,
        help_text="Leave empty for now. Requests received before keep theirs.",
    )


class CommentForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=120, required=False, help_text="Shown with your comment."
    )
    email = forms.EmailField(
        label="Your email address", help_text="We send a link to confirm your comment. It is never published."
    )
    body = forms.CharField(label="Your comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("publish", "Publish"), ("reject", "Do not publish")], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when not publishing: abusive, off topic, or names a student.",
    )


class SimulateForm(forms.Form):
    months = forms.IntegerField(label="Past months of requests", min_value=1, max_value=36, initial=12)
