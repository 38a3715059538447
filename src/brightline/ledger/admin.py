"""The ledger in the admin: read-only views, and registering a witness through its service (never
changed or deleted here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from brightline.admin_changes import ReadOnlyAdmin, ServiceAdmin
from brightline.errors import InvalidInput
from brightline.ledger.errors import LedgerError
from brightline.ledger.models import Checkpoint, LedgerEntry, Witness
from brightline.ledger.notes import COSIGNATURE_V1, NoteError, parse_verifier_key
from brightline.ledger.services import witness_register


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("index", "event_type", "appended_at", "subject")
    list_filter = ("event_type",)
    exclude = ("data", "leaf_hash")


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("id", "size", "signed_at")
    exclude = ("root_hash",)


class WitnessForm(forms.ModelForm):  # type: ignore[type-arg]
    verifier_key = forms.CharField(
        help_text="The witness's verifier key: <name>+<8 hex digits>+<base64 of 0x04 and the Ed25519 key>",
        widget=forms.TextInput(attrs={"size": 100}),
    )

    class Meta:
        model = Witness
        fields: list[str] = []

    def clean_verifier_key(self) -> str:
        value: str = self.cleaned_data["verifier_key"]
        try:
            key = parse_verifier_key(value)
        except NoteError as error:
            raise forms.ValidationError(str(error)) from None
        if key.kind != COSIGNATURE_V1:
            raise forms.ValidationError("a witness key has type 0x04 (cosignature/v1)")
        return value


@admin.register(Witness)
class WitnessAdmin(ServiceAdmin):
    list_display = ("name", "registered_at")
    form = WitnessForm

    def add_through_service(self, request: HttpRequest, form: Any) -> Witness:
        key = parse_verifier_key(form.cleaned_data["verifier_key"])
        try:
            return witness_register(name=key.name, public_key=key.public_key)
        except LedgerError as error:
            raise InvalidInput([("verifier_key", str(error))]) from None
