"""National dashboard: rollup tables kept from the apps' own rows, and the queue of changes
that tells the rollup task which slices to recompute.

Every rollup is a cache: `rollups.rebuild` recomputes any slice from the apps' rows, and the
periodic task recomputes exactly the slices the triggers marked (see docs/insights.md). Their
dimensions are plain integers (0 for "none"), not foreign keys: a rollup row never blocks a
change to the rows it summarises, and PostgreSQL partitions them by month.
"""

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

# Upper bounds (seconds) of the wait histogram's buckets; the last bucket is open. A p90 is read
# from these counts, never from raw tickets, so it is exact to within its bucket. Every charter
# target below is one of these bounds, so "share within the charter" is exact.
WAIT_EDGES_S = (60, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400)
# The charter's longest wait for a service without its own WaitTarget (minutes).
DEFAULT_WAIT_TARGET_MIN = 30
WAIT_BUCKETS = tuple(f"w{i:02d}" for i in range(len(WAIT_EDGES_S) + 1))
LEVELS = ("r1", "r2", "r3", "r4", "r5")


class Pending(models.Model):
    """A slice whose rows changed: written by database triggers on the apps' tables (so a
    change made anywhere - a service, the admin, a field-kit sync - is seen), consumed by the
    rollup task, which deletes the rows it has recomputed in the same transaction."""

    class Kind(models.TextChoices):
        QUEUE = "q", _("tickets and ratings")
        REVENUE = "r", _("ledger")
        APPLICATION = "a", _("applications")
        COMPLAINT = "c", _("complaints")

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=1, choices=Kind.choices)
    day = models.DateField()
    centre_id = models.IntegerField(null=True)  # None: every centre of that day
    at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.centre_id}"


class QueueFields(models.Model):
    tickets_n = models.PositiveIntegerField(default=0)
    served_n = models.PositiveIntegerField(default=0)
    no_show_n = models.PositiveIntegerField(default=0)
    cancelled_n = models.PositiveIntegerField(default=0)
    wait_n = models.PositiveIntegerField(default=0)
    wait_sum_s = models.BigIntegerField(default=0)
    service_n = models.PositiveIntegerField(default=0)
    service_sum_s = models.BigIntegerField(default=0)
    # Waits within the service's charter target in force when the slice was computed (a new
    # target applies from then on; rollup_rebuild applies it to the past as well).
    within_n = models.PositiveIntegerField(default=0)
    # The wait histogram (WAIT_EDGES_S) and the count of ratings at each level 1-5.
    w00 = models.PositiveIntegerField(default=0)
    w01 = models.PositiveIntegerField(default=0)
    w02 = models.PositiveIntegerField(default=0)
    w03 = models.PositiveIntegerField(default=0)
    w04 = models.PositiveIntegerField(default=0)
    w05 = models.PositiveIntegerField(default=0)
    w06 = models.PositiveIntegerField(default=0)
    w07 = models.PositiveIntegerField(default=0)
    w08 = models.PositiveIntegerField(default=0)
    w09 = models.PositiveIntegerField(default=0)
    w10 = models.PositiveIntegerField(default=0)
    w11 = models.PositiveIntegerField(default=0)
    w12 = models.PositiveIntegerField(default=0)
    w13 = models.PositiveIntegerField(default=0)
    w14 = models.PositiveIntegerField(default=0)
    r1 = models.PositiveIntegerField(default=0)
    r2 = models.PositiveIntegerField(default=0)
    r3 = models.PositiveIntegerField(default=0)
    r4 = models.PositiveIntegerField(default=0)
    r5 = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class QueueDay(QueueFields):
    """Tickets of one service day, centre, service and channel ("outreach" for a ticket issued
    at a Huduma Mashinani)."""

    pk = models.CompositePrimaryKey("day", "centre_id", "service_id", "channel")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()
    channel = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class QueueMonth(QueueFields):
    """QueueDay summed by month: what a period longer than two months reads."""

    pk = models.CompositePrimaryKey("month", "centre_id", "service_id", "channel")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()
    channel = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id}"


class QueueCentreDay(QueueFields):
    """QueueDay summed over services and channels: what a view cut by place only reads (58
    rows a day). The Mda and Channel tables below serve the other cuts; see selectors."""

    pk = models.CompositePrimaryKey("day", "centre_id")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class QueueCentreMonth(QueueFields):
    pk = models.CompositePrimaryKey("month", "centre_id")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id}"


class QueueMdaDay(QueueFields):
    pk = models.CompositePrimaryKey("day", "centre_id", "mda_id")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    mda_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id} MDA {self.mda_id}"


class QueueMdaMonth(QueueFields):
    pk = models.CompositePrimaryKey("month", "centre_id", "mda_id")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    mda_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id} MDA {self.mda_id}"


class QueueChannelDay(QueueFields):
    pk = models.CompositePrimaryKey("day", "centre_id", "channel")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    channel = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id} {self.channel}"


class QueueChannelMonth(QueueFields):
    pk = models.CompositePrimaryKey("month", "centre_id", "channel")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    channel = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id} {self.channel}"


class CounterDay(QueueFields):
    """Tickets a counter took (called at least once), by officer and service: the drill-down
    below a centre, and what an officer's appraisal reads."""

    pk = models.CompositePrimaryKey("day", "centre_id", "counter_id", "officer_id", "service_id")
    day = models.DateField()
    centre_id = models.IntegerField()
    counter_id = models.IntegerField()
    officer_id = models.IntegerField()  # 0: no officer recorded
    service_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class RevenueFields(models.Model):
    paid_kes = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    refunded_kes = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    payments_n = models.PositiveIntegerField(default=0)
    refunds_n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class RevenueDay(RevenueFields):
    """Ledger payments and refunds by Nairobi day, centre and service (held money is not
    revenue until it is applied to a fee, which writes a payment entry)."""

    pk = models.CompositePrimaryKey("day", "centre_id", "service_id", "mda_id")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()  # the MDA the row names (it keeps a moved service's history)

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class RevenueMonth(RevenueFields):
    pk = models.CompositePrimaryKey("month", "centre_id", "service_id", "mda_id")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id}"


class ApplicationFields(models.Model):
    due_n = models.PositiveIntegerField(default=0)
    breached_n = models.PositiveIntegerField(default=0)
    open_n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class ApplicationDay(ApplicationFields):
    """Applications by the day their turnaround falls due, centre and service."""

    pk = models.CompositePrimaryKey("day", "centre_id", "service_id", "mda_id")
    day = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()  # the MDA the row names (it keeps a moved service's history)

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class ApplicationMonth(ApplicationFields):
    pk = models.CompositePrimaryKey("month", "centre_id", "service_id", "mda_id")
    month = models.DateField()
    centre_id = models.IntegerField()
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.month} centre {self.centre_id}"


class ComplaintDay(models.Model):
    """Complaints by the Nairobi day they were received, where they are about, and category;
    with how many of them are still open, flagged overdue, and resolved (and how fast)."""

    pk = models.CompositePrimaryKey("day", "centre_id", "service_id", "mda_id", "category")
    day = models.DateField()
    centre_id = models.IntegerField()  # 0: no centre named
    county_id = models.IntegerField()
    service_id = models.IntegerField()
    mda_id = models.IntegerField()
    category = models.CharField(max_length=20)
    received_n = models.PositiveIntegerField(default=0)
    open_n = models.PositiveIntegerField(default=0)
    overdue_n = models.PositiveIntegerField(default=0)
    resolved_n = models.PositiveIntegerField(default=0)
    resolve_sum_s = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id}"


class WaitTarget(models.Model):
    """The longest wait a service's charter promises. Services without a row use
    DEFAULT_WAIT_TARGET_MIN."""

    MINUTES = [(m, str(m)) for m in (1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240)]

    service = models.OneToOneField(
        "catalogue.Service", on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    minutes = models.PositiveSmallIntegerField(_("longest wait (minutes)"), choices=MINUTES)

    class Meta:
        verbose_name = _("charter wait target")
        verbose_name_plural = _("charter wait targets")

    def __str__(self) -> str:
        return f"{self.service_id}: {self.minutes} min"
