"""The security audit trail: refused actions (a role check that said no, a wrong kiosk
PIN or check code past the free tries), and when each manager last read them."""

from peewee import DateTimeField, Model, TextField


def up(migrator, db):
    class AuditEntry(Model):
        at = DateTimeField(index=True)
        who = TextField()
        action = TextField()
        record = TextField(default="")
        detail = TextField(default="")

        class Meta:
            database = db
            table_name = "audit_entry"

    db.create_tables([AuditEntry])
    migrator.migrate(
        migrator.add_column("technician", "audit_read_at", DateTimeField(null=True)),
    )
