"""The school as FITS Desk knows it: its technicians and their roles, rooms, kinds of
fault, kiosks, the notices on the desk, the security audit trail, and the school
calendar (`calendar`: terms, holidays, INSET days, exams, freezes and the timetable,
read from files by `calendar_files` and `icalendar`), which changes are scheduled
around and service levels are measured on.

Every role rule of docs/security.md that is about who someone is starts in `people`.
Stands on `store.db` only.
"""
