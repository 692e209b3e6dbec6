"""Service level management (FITS): the service catalogue, agreed targets on the school's
hours, availability and the termly service report. Nothing here yet; this is where
that area goes (docs/architecture.md).
"""
