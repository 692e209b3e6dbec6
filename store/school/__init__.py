"""The school as FITS Desk knows it: its technicians and their roles, rooms, kinds of
fault, kiosks, the notices on the desk, and the security audit trail.

Every role rule of docs/security.md that is about who someone is starts in `people`.
Stands on `store.db` only.
"""
