"""Change management: requests for change with their devices, rooms and software, the
incidents they caused, and the change committee's votes; a notice can belong to a change
(the plain-words notice of its window)."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Frozen):
        class Meta:
            table_name = "location"

    class Asset(Frozen):
        class Meta:
            table_name = "asset"

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Technician(Frozen):
        class Meta:
            table_name = "technician"

    class Software(Frozen):
        class Meta:
            table_name = "software"

    class Change(Frozen):
        title = TextField()
        reason = TextField(default="")
        description = TextField(default="")
        kind = CharField(max_length=10, default="normal")
        status = CharField(max_length=12, default="raised")
        risk = CharField(max_length=6, default="low")
        affected = TextField(default="")
        implementation_plan = TextField(default="")
        test_plan = TextField(default="")
        backout_plan = TextField(default="")
        window_start = DateTimeField(null=True)
        window_end = DateTimeField(null=True)
        originator = ForeignKeyField(Technician)
        peer_reviewer = ForeignKeyField(Technician, null=True)
        implementer = ForeignKeyField(Technician, null=True)
        incident = ForeignKeyField(Incident, null=True)
        outcome = CharField(max_length=12, null=True)
        lessons = TextField(default="")
        afterwards = CharField(max_length=10, null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        approved_at = DateTimeField(null=True)
        implemented_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            indexes = (
                (("status", "created_at"), False),
                (("window_start",), False),
            )

    class ChangeAsset(Frozen):
        change = ForeignKeyField(Change)
        asset = ForeignKeyField(Asset)

        class Meta:
            indexes = ((("change", "asset"), True),)

    class ChangeLocation(Frozen):
        change = ForeignKeyField(Change)
        location = ForeignKeyField(Location)

        class Meta:
            indexes = ((("change", "location"), True),)

    class ChangeSoftware(Frozen):
        change = ForeignKeyField(Change)
        software = ForeignKeyField(Software)
        action = CharField(max_length=6, default="add")

        class Meta:
            indexes = ((("change", "software"), True),)

    class ChangeIncident(Frozen):
        change = ForeignKeyField(Change)
        incident = ForeignKeyField(Incident)
        linked_at = DateTimeField()
        linked_by = TextField()

        class Meta:
            indexes = ((("change", "incident"), True),)

    class Vote(Frozen):
        change = ForeignKeyField(Change)
        stage = CharField(max_length=10)
        member = ForeignKeyField(Technician)
        vote = CharField(max_length=8)
        comment = TextField(default="")
        at = DateTimeField()

        class Meta:
            # One vote per member per stage: a second is refused, not counted twice.
            indexes = ((("change", "stage", "member"), True),)

    db.create_tables([Change, ChangeAsset, ChangeLocation, ChangeSoftware, ChangeIncident, Vote])
    migrator.migrate(
        migrator.add_column(
            "notice", "change_id", ForeignKeyField(Change, field=Change.id, null=True)
        )
    )
