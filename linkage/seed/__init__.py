"""Seed data: the province's reference data and a believable demo province."""
