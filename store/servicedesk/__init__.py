"""The service desk and incident management (FITS): every call logged whatever the
channel, a log number for the caller, a technician's work on it (`incidents`), the
queue (`queues`), and the caller's side at a kiosk (`callers`): report, check, say
whether it is fixed.

Stands on db, school, records, configuration and problems (a kiosk shows known errors).
"""
