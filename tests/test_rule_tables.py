"""Rules the hot path writes twice, driven by one table each so the copies cannot drift:
the printed number (SQL on PostgreSQL, Python elsewhere) and who may call (the SQL claim and
the ORM explanation of a refusal). `make test` runs them on both databases."""

import pytest

from huduma.core import clock as huduma_clock
from huduma.queues import calling, services, sql
from huduma.queues.errors import CounterHoldsTicket, CounterNotOpen, NotYourTicket
from huduma.queues.models import CounterSession, DailyCounter, Ticket, Visit

pytestmark = pytest.mark.django_db


def issue(world, service):
    return services.visit_issue(
        centre=world.gpo, services=[service], channel="reception", requirements_confirmed=True
    )


NUMBERS = [
    (1, "A001"),
    (9, "A009"),
    (10, "A010"),
    (99, "A099"),
    (100, "A100"),
    (999, "A999"),
    (1000, "A1000"),
    (12345, "A12345"),
]


@pytest.mark.parametrize(("sequence", "printed"), NUMBERS)
def test_the_number_issued_is_the_python_format(world, clock, sequence, printed):
    if sequence > 1:
        DailyCounter.objects.create(
            centre=world.gpo,
            day=huduma_clock.local_date(clock.current),
            prefix="A",
            last=sequence - 1,
        )
    visit = issue(world, world.id_dup)  # on PostgreSQL numbered in SQL, else in Python
    stored = Visit.objects.get(pk=visit.pk)
    assert Visit(prefix="A", sequence=sequence).format_number() == printed
    assert (stored.sequence, stored.number, visit.number) == (sequence, printed, printed)


def _closed(world, counter, officers):
    return world.alice


def _paused(world, counter, officers):
    services.counter_open(counter=counter, officer=world.alice)
    services.counter_pause(counter=counter, officer=world.alice)
    return world.alice


def _busy(world, counter, officers):
    services.counter_open(counter=counter, officer=world.alice)
    issue(world, world.id_dup)
    services.ticket_call_next(counter=counter, officer=world.alice)
    return world.alice


def _other_officer(world, counter, officers):
    services.counter_open(counter=counter, officer=officers[1])
    return world.alice


def _open_and_free(world, counter, officers):
    services.counter_open(counter=counter, officer=world.alice)
    return world.alice


CLAIM_RULE = [
    ("closed", _closed, CounterNotOpen),
    ("paused", _paused, CounterNotOpen),
    ("busy", _busy, CounterHoldsTicket),
    ("other officer", _other_officer, NotYourTicket),
    ("open and free", _open_and_free, None),
]


@pytest.mark.parametrize(("case", "arrange", "refusal"), CLAIM_RULE, ids=[c[0] for c in CLAIM_RULE])
def test_the_sql_claim_claims_exactly_when_the_orm_finds_no_refusal(
    world, clock, officers, case, arrange, refusal
):
    counter = world.counters[("gpo-nairobi", 1)]
    caller = arrange(world, counter, officers)
    waiting = issue(world, world.id_dup).tickets.get()
    try:
        calling._may_call(counter, caller)  # the ORM's explanation, asked first
        explained = None
    except Exception as exc:  # noqa: BLE001 - compared with the table below
        explained = exc
    with sql.one_statement():
        claimed = sql.claim(
            ranked_ids=[waiting.pk], counter_id=counter.pk, officer_id=caller.pk, now=clock.current
        )
    assert (claimed is not None) == (explained is None), case
    assert type(explained) is refusal if refusal else explained is None
    waiting.refresh_from_db()
    assert waiting.status == ("called" if claimed else "waiting")
    if claimed:
        assert (claimed.ticket.pk, claimed.ticket.counter_id) == (waiting.pk, counter.pk)
        assert claimed.number == waiting.visit.number and claimed.called_sms_id is None
    assert CounterSession.objects.count() == (0 if case == "closed" else 1)
    assert Ticket.objects.filter(counter=counter, status="called").count() <= 1
