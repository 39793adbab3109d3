from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "huduma.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"

    def ready(self):
        from huduma.catalogue import models
        from huduma.core import refcache
        from huduma.core.audit import audit_model_changes

        audit_model_changes(
            models.MDA,
            models.Service,
            models.Requirement,
            models.ServiceChannel,
            models.CentreService,
            models.CounterService,
            models.Article,
        )
        refcache.invalidate_on_change(models.Service, models.CentreService, models.CounterService)
