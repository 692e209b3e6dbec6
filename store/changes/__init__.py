"""Change management (FITS): requests for change through the committee (`changes`,
`approval`, `committee`), the plan and its peer review (`rules`, `work`), scheduling
out of lessons, exams and freezes (`schedule`, `overlap`) on the school calendar
(store.school.calendar).

Stands on db, school, records and configuration.
"""
