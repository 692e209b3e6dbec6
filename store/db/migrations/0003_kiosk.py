"""What the walk-up kiosk needs: notices, counted tries (reports, wrong codes, PINs), settings."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Frozen):
        class Meta:
            table_name = "location"

    class Kiosk(Frozen):
        class Meta:
            table_name = "kiosk"

    class Notice(Frozen):
        text = TextField()
        location = ForeignKeyField(Location, null=True)
        starts_at = DateTimeField()
        until = DateTimeField(null=True)
        created_by = TextField()
        withdrawn_at = DateTimeField(null=True)

    class Attempt(Frozen):
        kiosk = ForeignKeyField(Kiosk, null=True)
        kind = CharField(max_length=10)
        at = DateTimeField()

        class Meta:
            indexes = ((("kind", "kiosk", "at"), False),)

    class Setting(Frozen):
        key = CharField(max_length=40, unique=True)
        value = TextField()
        version = IntegerField(default=1)

    db.create_tables([Notice, Attempt, Setting])
