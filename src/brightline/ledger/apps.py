from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "brightline.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # `ledger verify` compares the rows people read with what the ledger recorded about them. The
        # checks read casework and disclosure rows through the app registry, never by importing them.
        from brightline.ledger import row_checks
        from brightline.ledger.row_checks.casework import CaseworkRows
        from brightline.ledger.row_checks.disclosures import DisclosureRows

        row_checks.register(CaseworkRows)
        row_checks.register(DisclosureRows)
