"""The national dashboard in the demo (`load_demo`): the rollups refreshed once after the other
apps' demo steps wrote their rows (the worker would do it on its next run)."""

from huduma.insights import rollups


def demo_insights_lines() -> list[str]:
    result = rollups.refresh()
    return [
        (
            f"National dashboard: /insights/ (rollups refreshed: {result.slices} slices), "
            "open data at /open-data/"
        )
    ]
