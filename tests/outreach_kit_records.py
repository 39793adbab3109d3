"""Shared by the field-kit tests: which of a kit's records the server holds."""

import uuid

from huduma.outreach.records import synced_model


def on_server(made: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        label: {
            pk.hex
            for pk in synced_model(label)
            ._base_manager.filter(pk__in=[uuid.UUID(i) for i in ids])
            .values_list("pk", flat=True)
        }
        for label, ids in made.items()
    }
