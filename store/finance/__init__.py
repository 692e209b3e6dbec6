"""Financial management for IT (FITS): what IT costs, licences and replacement plans.
Nothing here yet; this is where that area goes (docs/architecture.md).
"""
