"""Outreach plans: calendar, venues, services, rotation, logistics, imprest, publicity."""
