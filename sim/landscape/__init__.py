"""Landscape analysis (Axelrod & Bennett 1993): energy, stable configurations and their basins.

Works on any published case or on a scenario's propensities at a chosen month; see
docs/landscape.md.
"""
