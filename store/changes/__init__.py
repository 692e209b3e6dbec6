"""Change management (FITS): requests for change through the committee (`changes`,
`approval`, `committee`), the plan and its peer review (`rules`, `work`), scheduling
out of lessons, exams and freezes (`schedule`, `overlap`), and the school calendar the
schedule reads (`calendar`, `calendar_files`, `icalendar`).

Stands on db, school, records and configuration.
"""
