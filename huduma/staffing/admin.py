"""Courses are reference data the Secretariat keeps in the admin; sessions, attendance and
supervised practice are records, read here and written through the staffing pages."""

from django.contrib import admin

from huduma.core.admin_readonly import ReadOnlyAdmin
from huduma.staffing.models import Attendance, Course, SupervisedPractice, TrainingSession


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "kind", "service", "hours", "valid_months", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_en", "name_sw"]
    autocomplete_fields = ["service"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = ["course", "centre", "starts_on", "ends_on", "hours", "trainer"]
    list_filter = ["course", "centre"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["officer", "session", "result", "score", "valid_until"]
    list_filter = ["result", "session__course"]
    search_fields = ["officer__username", "officer__last_name"]


@admin.register(SupervisedPractice)
class SupervisedPracticeAdmin(ReadOnlyAdmin):
    list_display = ["officer", "service", "centre", "starts_on", "ends_on", "closed_at"]
    list_filter = ["centre"]
