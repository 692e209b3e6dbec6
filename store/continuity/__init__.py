"""Service continuity (FITS IT service continuity management): consistent backups of the
database while it is in use, their checks and their restore (`backups`, with
`backup_sqlite` and `backup_postgres` for each kind of database). Continuity plans
for each service belong here too.

Stands on db and school.
"""
