"""Problem management and capacity: problems with their linked incidents, devices, rooms
and kinds of fault; capacity metrics and their samples; the indexes trend finding reads."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Frozen):
        class Meta:
            table_name = "location"

    class Category(Frozen):
        class Meta:
            table_name = "category"

    class Asset(Frozen):
        class Meta:
            table_name = "asset"

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Technician(Frozen):
        class Meta:
            table_name = "technician"

    class Problem(Frozen):
        title = TextField()
        description = TextField(default="")
        status = CharField(max_length=16, default="open")
        owner = ForeignKeyField(Technician, null=True)
        resolver = ForeignKeyField(Technician, null=True)
        root_cause = TextField(default="")
        workaround = TextField(default="")
        major = BooleanField(default=False)
        public = BooleanField(default=False)
        public_text = TextField(default="")
        parent = ForeignKeyField("self", null=True)
        change_id = IntegerField(null=True)
        origin = TextField(null=True, index=True)
        created_by = TextField()
        created_at = DateTimeField()
        updated_at = DateTimeField()
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            indexes = ((("status", "created_at"), False),)

    class ProblemIncident(Frozen):
        problem = ForeignKeyField(Problem)
        incident = ForeignKeyField(Incident)
        via = CharField(max_length=10, default="desk")
        linked_at = DateTimeField()
        linked_by = TextField()

        class Meta:
            indexes = ((("problem", "incident"), True),)

    class ProblemAsset(Frozen):
        problem = ForeignKeyField(Problem)
        asset = ForeignKeyField(Asset)

        class Meta:
            indexes = ((("problem", "asset"), True),)

    class ProblemLocation(Frozen):
        problem = ForeignKeyField(Problem)
        location = ForeignKeyField(Location)

        class Meta:
            indexes = ((("problem", "location"), True),)

    class ProblemCategory(Frozen):
        problem = ForeignKeyField(Problem)
        category = ForeignKeyField(Category)

        class Meta:
            indexes = ((("problem", "category"), True),)

    class Metric(Frozen):
        name = CharField(max_length=60, unique=True)
        unit = TextField(default="")
        capacity = FloatField()
        warning = FloatField(null=True)
        warn_days = IntegerField(default=30)
        source = TextField(default="")
        created_at = DateTimeField()
        version = IntegerField(default=1)

    class Sample(Frozen):
        metric = ForeignKeyField(Metric)
        at = DateTimeField()
        value = FloatField()

        class Meta:
            indexes = ((("metric", "at"), False),)

    db.create_tables(
        [Problem, ProblemIncident, ProblemAsset, ProblemLocation, ProblemCategory, Metric, Sample]
    )
    # A known error published to the kiosks is a notice per room it affects.
    migrator.migrate(
        migrator.add_column(
            "notice", "problem_id", ForeignKeyField(Problem, field=Problem.id, null=True)
        )
    )
    # Trend finding reads a year of calls by kind of fault, room and device.
    db.execute_sql("CREATE INDEX incident_category_logged ON incident (category_id, logged_at)")
    db.execute_sql(
        "CREATE INDEX incident_location_category_logged "
        "ON incident (location_id, category_id, logged_at)"
    )
