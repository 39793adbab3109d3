"""Maker-checker: what one person asks for (a refund, a decision on money held, an imprest
reimbursement), a second person approves. The one rule, called by every verb that approves:

    second_person(maker_id=refund.requested_by_id, checker=by, message=_("..."))

raises `SameOfficer` (403, code "maker_checker") when the checker is the maker or nobody. Who
may be a checker at all (a role at a centre) is the verb's permission check, in the service,
not in a view (accounts.permissions). The tables add a constraint where they can (payments'
HeldDecision, outreach's Reimbursement: decided_by <> proposed_by).
"""

from django.utils.translation import gettext as _

from huduma.core.errors import Forbidden


class SameOfficer(Forbidden):
    code = "maker_checker"


def second_person(*, maker_id, checker, message: str | None = None, field: str | None = None):
    """Refuse unless `checker` is a signed-in person other than the maker."""
    checker_id = getattr(checker, "pk", None)
    if checker_id is None or checker_id == maker_id:
        raise SameOfficer(
            message or _("A second person must approve: you asked for this."), field=field
        )
