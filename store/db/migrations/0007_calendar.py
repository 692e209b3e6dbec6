"""The school calendar: terms, holidays, training (INSET) days, exam periods and change
freezes as dated events; the daily timetable as periods. Change management schedules
around them; service levels will count school days by them."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Frozen):
        class Meta:
            table_name = "location"

    class CalendarEvent(Frozen):
        kind = CharField(max_length=10)
        title = TextField()
        starts_at = DateTimeField()
        ends_at = DateTimeField()
        all_day = BooleanField(default=True)
        location = ForeignKeyField(Location, null=True)
        uid = TextField(default="")
        source = TextField(default="")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("kind", "starts_at"), False), (("starts_at", "ends_at"), False))

    class Period(Frozen):
        name = TextField()
        kind = CharField(max_length=12)
        starts = CharField(max_length=5)
        ends = CharField(max_length=5)
        days = CharField(max_length=7, default="12345")

    db.create_tables([CalendarEvent, Period])
