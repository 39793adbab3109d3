from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.feedback import surveys
from huduma.feedback.models import Misuse, Rating, Survey, SurveyQuestion


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    """Ratings are the citizens' words: readable, never edited."""

    list_display = ["at", "centre", "counter", "service", "score", "channel", "ending"]
    list_filter = ["channel", "score", "centre"]
    date_hierarchy = "at"


@admin.register(Misuse)
class MisuseAdmin(RatingAdmin):
    list_display = ["at", "centre", "counter", "kind", "score"]
    list_filter = ["kind", "centre"]


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 3
    max_num = 10  # a short questionnaire: a few questions, answered on a phone


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = [
        "title_en",
        "period_start",
        "period_end",
        "centre",
        "sample_size",
        "sent",
        "results",
    ]
    inlines = [SurveyQuestionInline]
    actions = ["send_sample"]

    @admin.display(description=_("links sent"))
    def sent(self, obj):
        return obj.invitations.count()

    @admin.display(description=_("results"))
    def results(self, obj):
        url = reverse("admin:feedback_survey_results", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Results"))

    @admin.action(description=_("Send to a random sample of the citizens served in the period"))
    def send_sample(self, request, queryset):
        for survey in queryset:
            sent = surveys.survey_send(survey=survey)
            self.message_user(
                request,
                _("%(survey)s: %(n)s links sent.") % {"survey": survey, "n": sent},
                messages.SUCCESS,
            )

    def get_urls(self):
        return [
            path(
                "<int:survey_id>/results/",
                self.admin_site.admin_view(self.results_view),
                name="feedback_survey_results",
            ),
            *super().get_urls(),
        ]

    def results_view(self, request, survey_id: int):
        survey = get_object_or_404(Survey, pk=survey_id)
        context = {
            **self.admin_site.each_context(request),
            "survey": survey,
            "title": _("Results: %(survey)s") % {"survey": survey},
            "by_centre": surveys.survey_results(survey=survey, group_by="centre"),
            "by_service": surveys.survey_results(survey=survey, group_by="service"),
        }
        return render(request, "feedback/survey_results.html", context)
