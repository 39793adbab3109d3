from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huduma.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from huduma.accounts import services
        from huduma.accounts.models import User
        from huduma.core import refcache

        user_logged_in.connect(services.record_sign_in, dispatch_uid="audit-sign-in")
        user_login_failed.connect(services.record_failed_sign_in, dispatch_uid="audit-sign-in-fail")
        refcache.invalidate_on_change(User)
