"""Measurements of policycrawl components on real pages (not part of the installed package)."""
