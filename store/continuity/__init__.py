"""Service continuity (FITS IT service continuity management): consistent backups of the
database while it is in use, their checks and their restore (`backups`, with
`backup_sqlite` and `backup_postgres` for each kind of database), and a continuity plan
for each service in the catalogue (`plans`): its recovery priority, RTO and RPO, its
copies checked against the 3-2-1 rule (`plan_rules`), recovery steps, contacts and
tests, the reminders when a test is overdue or a change touched its devices since the
last review, and the service report's continuity section. FITS Desk's own entry reads
its backups from `backups` (docs/continuity.md, docs/backup.md).

Stands on db, school and service_levels (the catalogue).
"""
