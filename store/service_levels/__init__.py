"""Service level management (FITS): the service catalogue, agreed targets on the school's
hours, availability and the termly service report. So far: `hours`, the school-time
clock targets are measured in, read from the imported calendar (docs/architecture.md).
"""
