"""Verify the ledger chain against its signed checkpoints (database and sink files)."""

from huduma.core.management.commands.verify_audit_chain import Command as AuditCommand


class Command(AuditCommand):
    help = "Verify that no ledger entry was edited, deleted, re-ordered or cut."
    chain = "ledger"
