"""The Secretariat's catalogue desk: search, filters, inline requirements, import/export."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from huduma.catalogue.models import (
    MDA,
    Article,
    ArticleVersion,
    CentreService,
    CounterService,
    Requirement,
    SearchSynonym,
    Service,
    ServiceChannel,
    Tutorial,
    TutorialStep,
)
from huduma.catalogue.services import (
    article_save,
    counter_skill_checked,
    service_refresh_search,
)
from huduma.core.csv_safe import ValidatedResource
from huduma.core.errors import DomainError


class RequirementFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("text_en")
        ]
        if self.instance.needs_documents and not kept:
            raise forms.ValidationError(
                _(
                    "This service needs documents: list at least one requirement, "
                    "or untick 'needs documents'."
                )
            )


class RequirementInline(admin.TabularInline):
    model = Requirement
    formset = RequirementFormSet
    extra = 1
    fields = ["position", "text_en", "text_sw"]


class ServiceChannelInline(admin.TabularInline):
    model = ServiceChannel
    extra = 0
    fields = ["channel", "how_en", "how_sw"]


class MDAResource(ValidatedResource):
    class Meta(ValidatedResource.Meta):
        model = MDA
        import_id_fields = ["code"]
        fields = ["code", "name_en", "name_sw", "in_reference", "complaints_contact"]


class ServiceResource(ValidatedResource):
    class Meta(ValidatedResource.Meta):
        model = Service
        import_id_fields = ["code"]
        fields = [
            "code",
            "mda",
            "group",
            "name_en",
            "name_sw",
            "description_en",
            "description_sw",
            "keywords_en",
            "keywords_sw",
            "fee_kes",
            "fee_is_demo",
            "turnaround_days",
            "turnaround_is_demo",
            "needs_documents",
            "portable",
            "is_active",
        ]

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            service_refresh_search(service=instance)


@admin.register(MDA)
class MDAAdmin(ImportExportModelAdmin):
    resource_classes = [MDAResource]
    list_display = ["code", "name_en", "name_sw", "in_reference", "complaints_contact"]
    list_filter = ["in_reference", "complaints_contact"]
    search_fields = ["code", "name_en", "name_sw"]


@admin.register(Service)
class ServiceAdmin(ImportExportModelAdmin):
    resource_classes = [ServiceResource]
    list_display = [
        "code",
        "name_en",
        "mda",
        "fee_kes",
        "fee_is_demo",
        "turnaround_days",
        "portable",
        "is_active",
    ]
    list_filter = [
        "mda",
        "portable",
        "is_active",
        "fee_is_demo",
        "turnaround_is_demo",
        "channels__channel",
    ]
    search_fields = ["code", "name_en", "name_sw", "keywords_en", "keywords_sw"]
    inlines = [RequirementInline, ServiceChannelInline]
    list_select_related = ["mda"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        service_refresh_search(service=form.instance)


@admin.register(CentreService)
class CentreServiceAdmin(admin.ModelAdmin):
    list_display = ["centre", "service"]
    list_filter = ["centre"]
    search_fields = ["service__name_en", "service__code", "centre__name"]
    autocomplete_fields = ["service"]


class CounterServiceForm(forms.ModelForm):
    class Meta:
        model = CounterService
        fields = ["counter", "service"]

    def clean(self):
        data = super().clean()
        if data.get("counter") and data.get("service"):
            try:
                counter_skill_checked(counter=data["counter"], service=data["service"])
            except DomainError as exc:
                raise forms.ValidationError({"service": exc.message}) from exc
        return data


@admin.register(CounterService)
class CounterServiceAdmin(admin.ModelAdmin):
    form = CounterServiceForm
    list_display = ["counter", "service"]
    list_filter = ["counter__centre"]
    autocomplete_fields = ["service"]


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    extra = 0
    can_delete = False
    readonly_fields = ["version", "title_en", "audience", "edited_by", "edited_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title_en",
        "service",
        "audience",
        "kind",
        "version",
        "owner",
        "review_due",
        "updated_at",
    ]
    list_filter = ["audience", "kind", "mda"]
    search_fields = ["title_en", "title_sw", "body_en", "body_sw", "slug"]
    autocomplete_fields = ["service"]
    raw_id_fields = ["owner"]
    readonly_fields = ["version"]
    inlines = [ArticleVersionInline]

    def save_model(self, request, obj, form, change):
        article_save(article=obj, editor=request.user)


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Applied to every search as typed: no re-indexing needed after an edit."""

    list_display = ["phrase", "means"]
    search_fields = ["phrase", "means"]


class TutorialStepInline(admin.StackedInline):
    model = TutorialStep
    extra = 1
    fields = [
        "position",
        "text_en",
        "text_sw",
        "picture",
        "picture_alt_en",
        "picture_alt_sw",
    ]


@admin.register(Tutorial)
class TutorialAdmin(admin.ModelAdmin):
    """Step-by-step guides; each step's picture is a small SVG or PNG kept in
    huduma/static/tutorials/ (named here), so no upload reaches the server."""

    list_display = ["title_en", "service", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title_en", "title_sw", "slug"]
    autocomplete_fields = ["service"]
    inlines = [TutorialStepInline]
