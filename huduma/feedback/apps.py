from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "huduma.feedback"
    label = "feedback"
    verbose_name = "Feedback"
