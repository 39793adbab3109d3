"""Pages of performance: daily report, standards and evaluation, appraisal, savings."""

from django.urls import path

from huduma.performance import views

app_name = "performance"

urlpatterns = [
    path("staff/centres/<slug:code>/daily-report/", views.daily_report, name="daily_report"),
    path(
        "staff/centres/<slug:code>/daily-report.pdf",
        views.daily_report_pdf,
        name="daily_report_pdf",
    ),
    path("staff/standards/", views.standards_page, name="standards"),
    path(
        "staff/standards/<int:service_id>/target/",
        views.standard_target,
        name="standard_target",
    ),
    path(
        "staff/standards/evaluation-<str:quarter>.pdf",
        views.evaluation_pdf,
        name="evaluation_pdf",
    ),
    path("staff/appraisals/", views.appraisals, name="appraisals"),
    path("staff/appraisals/<int:officer_id>/", views.appraisal, name="appraisal"),
    path("staff/appraisals/<int:officer_id>/appraise/", views.appraise, name="appraise"),
    path(
        "staff/appraisals/<int:officer_id>/recognitions/",
        views.recognition_propose,
        name="recognition_propose",
    ),
    path(
        "staff/appraisal/<int:appraisal_id>/comment/",
        views.appraisal_comment,
        name="appraisal_comment",
    ),
    path(
        "staff/recognitions/<int:recognition_id>/decide/",
        views.recognition_decide,
        name="recognition_decide",
    ),
    path("savings/", views.savings_page, name="savings"),
    path("staff/savings/method/", views.savings_method, name="savings_method"),
]
