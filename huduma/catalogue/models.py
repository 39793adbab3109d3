"""The public service catalogue: MDAs, services with fee, turnaround and requirements,
where each service is offered, and the knowledge base."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from huduma.core.i18n import Bilingual, localized

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,39}$", _("Use capital letters, digits and dashes only.")
)


class Channel(models.TextChoices):
    CENTRE = "centre", _("Huduma Centre")
    EHUDUMA = "ehuduma", _("eHuduma web portal")
    MHUDUMA = "mhuduma", _("mHuduma (USSD, SMS, app)")
    CONTACT_CENTRE = "contact_centre", _("Huduma Contact Centre")
    MASHINANI = "mashinani", _("Huduma Mashinani outreach")


class Sector(models.TextChoices):
    """What an agency does, as a citizen looks for it: the kiosk groups its agencies by these,
    each with its own pictogram (static/img/sectors.svg)."""

    IDENTITY = "identity", _("Identity and registration")
    MONEY = "money", _("Tax, business and money")
    SOCIAL = "social", _("Health, pensions and social protection")
    TRANSPORT = "transport", _("Transport and driving")
    LAND = "land", _("Land, housing and energy")
    JUSTICE = "justice", _("Police, justice and rights")
    EDUCATION = "education", _("Education, youth and jobs")
    GOVERNMENT = "government", _("Government offices")


class MDA(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    sector = models.CharField(
        _("sector"), max_length=12, choices=Sector.choices, default=Sector.GOVERNMENT
    )
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_sw = models.CharField(_("name (Swahili)"), max_length=160, blank=True)
    in_reference = models.BooleanField(_("named in the programme documents"), default=True)
    complaints_contact = models.BooleanField(_("receives complaints"), default=False)
    # Where a citizen is referred when a service is not offered at the centre (texted to them).
    office_address = models.CharField(
        _("office address"), max_length=300, blank=True, help_text=_("Building, street, town.")
    )
    office_phone = models.CharField(_("office phone"), max_length=20, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("MDA")
        verbose_name_plural = _("MDAs")

    def __str__(self) -> str:
        return self.name_en


class Service(Bilingual, models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    mda = models.ForeignKey(MDA, on_delete=models.PROTECT, related_name="services")
    group = models.CharField(
        _("queue group"),
        max_length=1,
        default="A",
        validators=[RegexValidator(r"^[A-Z]$", _("One capital letter."))],
        help_text=_("Ticket numbers of this service start with this letter."),
    )
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_sw = models.CharField(_("name (Swahili)"), max_length=160)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_sw = models.TextField(_("description (Swahili)"), blank=True)
    keywords_en = models.CharField(_("search words (English)"), max_length=400, blank=True)
    keywords_sw = models.CharField(_("search words (Swahili)"), max_length=400, blank=True)
    fee_kes = models.DecimalField(
        _("official fee (KES)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0, _("A fee cannot be negative."))],
    )
    fee_is_demo = models.BooleanField(_("fee is a demo value"), default=False)
    turnaround_days = models.PositiveSmallIntegerField(
        _("turnaround (working days)"), help_text=_("0 means the same day, while you wait.")
    )
    turnaround_is_demo = models.BooleanField(_("turnaround is a demo value"), default=False)
    needs_documents = models.BooleanField(_("needs documents"), default=True)
    portable = models.BooleanField(_("can go to outreach"), default=False)
    # What a citizen must have done first, in one visit: a lost ID replaced before the
    # services that ask for the ID card. A visit's services queue in this order.
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="needed_by",
        verbose_name=_("needs first"),
        help_text=_("Services a visit must go through before this one (an ID card first)."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fee_kes__gte=0), name="service_fee_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"

    @property
    def description(self) -> str:
        return localized(self, "description")

    def clean(self):
        if self.fee_kes is not None and self.fee_kes < 0:
            raise ValidationError({"fee_kes": _("A fee cannot be negative.")})


class Requirement(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveSmallIntegerField(default=0)
    text_en = models.CharField(_("requirement (English)"), max_length=240)
    text_sw = models.CharField(_("requirement (Swahili)"), max_length=240)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "position", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return self.text_en

    @property
    def text(self) -> str:
        return localized(self, "text")


class ServiceChannel(models.Model):
    """A channel a service is offered on, with how to apply there."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    how_en = models.CharField(_("how to apply (English)"), max_length=400, blank=True)
    how_sw = models.CharField(_("how to apply (Swahili)"), max_length=400, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["service", "channel"], name="service_channel_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} on {self.channel}"

    @property
    def how(self) -> str:
        return localized(self, "how")


class CentreService(models.Model):
    """A service offered at a centre: the rows of that centre's service charter."""

    centre = models.ForeignKey(
        "places.Centre", on_delete=models.CASCADE, related_name="offered_services"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offered_at")
    # Part of the catalogue version behind the charter's ETag (see selectors.catalogue_version).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "service"], name="centre_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} at {self.centre.code}"


class CounterService(models.Model):
    """A service a counter can serve (the counter's skills)."""

    counter = models.ForeignKey("places.Counter", on_delete=models.CASCADE, related_name="skills")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="counters")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["counter", "service"], name="counter_service_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service.code} at {self.counter}"


class Article(models.Model):
    """A knowledge-base article or FAQ. Every edit keeps the previous text as a version."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        STAFF = "staff", _("Staff only")

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        FAQ = "faq", _("Question and answer")

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="articles"
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FAQ)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_sw = models.CharField(_("title (Swahili)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"))
    body_sw = models.TextField(_("text (Swahili)"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The agency an article without a service is about (one with a service is its MDA's).
    mda = models.ForeignKey(
        MDA, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    # Who keeps it true, and by when they must read it again: past that day it is stale,
    # flagged on the staff list and (once per review date) to the owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    review_due = models.DateField(_("review by"), null=True, blank=True)
    stale_notified_for = models.DateField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__name_en", "title_en"]
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge base")

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def body(self) -> str:
        return localized(self, "body")

    def is_stale(self, today) -> bool:
        return self.review_due is not None and self.review_due < today

    @property
    def agency(self):
        return self.service.mda if self.service_id else self.mda


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title_en = models.CharField(max_length=200)
    title_sw = models.CharField(max_length=200, blank=True)
    body_en = models.TextField()
    body_sw = models.TextField(blank=True)
    audience = models.CharField(max_length=10)
    edited_by = models.CharField(max_length=150, blank=True)
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} v{self.version}"


class SearchKey(models.Model):
    """A lexicon word's lookup keys (the word, its prefixes, stem and one-letter deletions), so
    that prefixes and typos are found by equality, the same way on every database."""

    key = models.CharField(max_length=64)
    word = models.CharField(max_length=64)
    kind = models.PositiveSmallIntegerField()  # search_rules.Kind

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "word", "kind"], name="searchkey_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.word}"


class SearchPosting(models.Model):
    """A word of an active service (its names, keywords, agency, description) and how strongly
    it names the service; read best first, a bounded number per word."""

    word = models.CharField(max_length=64)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["word", "service"], name="searchposting_unique"),
        ]
        indexes = [
            models.Index(fields=["word", "-weight", "service"], name="searchposting_best"),
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.weight})"


class SearchSynonym(models.Model):
    """Words citizens use for what the catalogue names otherwise ("rushwa": corruption), kept
    by the Secretariat in the admin and applied to every search as it is typed."""

    phrase = models.CharField(
        _("citizens say"),
        max_length=100,
        unique=True,
        help_text=_("A word or phrase, e.g. rushwa or police clearance."),
    )
    means = models.CharField(
        _("meaning"),
        max_length=300,
        help_text=_("What it means in the catalogue's words; alternatives separated by commas."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("search synonym")

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"


class Tutorial(models.Model):
    """A step-by-step guide to an online service, with a picture per step, in both languages;
    linked from the service's page."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="tutorials")
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_sw = models.CharField(_("title (Swahili)"), max_length=200)
    summary_en = models.CharField(_("summary (English)"), max_length=400, blank=True)
    summary_sw = models.CharField(_("summary (Swahili)"), max_length=400, blank=True)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service__name_en", "title_en"]
        verbose_name = _("tutorial")
        verbose_name_plural = _("tutorials")

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


picture_validator = RegexValidator(
    r"^tutorials/[a-z0-9-]+\.(svg|png)$",
    _("A picture in huduma/static/tutorials/, e.g. tutorials/kra-pin-1.svg."),
)


class TutorialStep(models.Model):
    tutorial = models.ForeignKey(Tutorial, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("step"))
    text_en = models.TextField(_("what to do (English)"))
    text_sw = models.TextField(_("what to do (Swahili)"))
    # A small SVG or PNG kept in the repository and served with the static files.
    picture = models.CharField(
        _("picture"), max_length=120, blank=True, validators=[picture_validator]
    )
    picture_alt_en = models.CharField(
        _("picture description (English)"), max_length=200, blank=True
    )
    picture_alt_sw = models.CharField(
        _("picture description (Swahili)"), max_length=200, blank=True
    )

    class Meta:
        ordering = ["tutorial", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tutorial", "position"], name="tutorial_step_unique"),
            models.CheckConstraint(
                condition=models.Q(picture="") | ~models.Q(picture_alt_en=""),
                name="tutorial_picture_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tutorial.slug} #{self.position}"

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def picture_alt(self) -> str:
        return localized(self, "picture_alt")
