"""Where services happen: counties, sub-counties, Huduma Centres and their counters."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    code = models.PositiveSmallIntegerField(_("official code"), unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    capital = models.CharField(_("capital"), max_length=80, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__gte=1, code__lte=47), name="county_code_1_to_47"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def code_display(self) -> str:
        return f"{self.code:03d}"


class SubCounty(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="sub_counties")
    name = models.CharField(_("name"), max_length=80)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county__name", "name"]
        verbose_name = _("sub-county")
        verbose_name_plural = _("sub-counties")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="sub_county_unique_in_county")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.county.name})"


class Centre(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Planned")
        CLOSED = "closed", _("Closed")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="centres")
    sub_county = models.ForeignKey(
        SubCounty, on_delete=models.SET_NULL, null=True, blank=True, related_name="centres"
    )
    town = models.CharField(_("town"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=80, default="Mon-Fri 08:00-17:00, Sat 09:00-13:00"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Huduma Centre")
        verbose_name_plural = _("Huduma Centres")

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A service point in a centre. The services it can serve are in catalogue.CounterService."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="counter_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre.name} · {_('Counter')} {self.number}"
