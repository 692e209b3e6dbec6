"""A kiosk report of a fault already open is a call of its own, linked to the open one
as a duplicate: the caller keeps a number and code nobody else holds (docs/kiosk.md)."""

from peewee import ForeignKeyField, Model


def up(migrator, db):
    class Incident(Model):
        class Meta:
            database = db
            table_name = "incident"

    migrator.migrate(
        migrator.add_column(
            "incident",
            "duplicate_of_id",
            ForeignKeyField(Incident, field=Incident.id, null=True, on_delete="SET NULL"),
        ),  # the migrator indexes a new foreign key itself
    )
