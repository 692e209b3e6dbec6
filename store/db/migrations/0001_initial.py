"""The first schema: people, places, categories, assets, kiosks, incidents, notes, journal."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

OPEN = "('logged', 'assigned', 'in_progress', 'on_hold')"


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Location(Frozen):
        code = CharField(max_length=20, unique=True)
        name = TextField()
        site = TextField(default="")

    class Category(Frozen):
        name = CharField(max_length=40, unique=True)
        label = TextField()
        impact = SmallIntegerField(default=3)
        urgency = SmallIntegerField(default=3)
        on_kiosk = BooleanField(default=True)
        position = IntegerField(default=100)

    class Person(Frozen):
        name = TextField()
        role = CharField(max_length=10)
        group_name = TextField(default="")
        email = TextField(default="")
        match_key = TextField(unique=True)
        created_at = DateTimeField()

    class Technician(Frozen):
        login = CharField(max_length=32, unique=True)
        full_name = TextField()
        roles = TextField(default="technician")
        active = BooleanField(default=True)
        created_at = DateTimeField()

    class Asset(Frozen):
        tag = CharField(max_length=40, unique=True)
        kind = CharField(max_length=30, default="other")
        description = TextField(default="")
        location = ForeignKeyField(Location, null=True)

    class Kiosk(Frozen):
        name = CharField(max_length=40, unique=True)
        location = ForeignKeyField(Location)

    class Incident(Frozen):
        check_code = CharField(max_length=4)
        channel = CharField(max_length=10)
        requester = ForeignKeyField(Person)
        location = ForeignKeyField(Location, null=True)
        category = ForeignKeyField(Category, null=True)
        asset = ForeignKeyField(Asset, null=True)
        kiosk = ForeignKeyField(Kiosk, null=True)
        summary = TextField()
        description = TextField(default="")
        trying_to_do = TextField(default="")
        happened_instead = TextField(default="")
        already_tried = TextField(default="")
        last_worked = TextField(default="")
        happened_before = TextField(default="")
        impact = SmallIntegerField()
        urgency = SmallIntegerField()
        priority = SmallIntegerField()
        status = CharField(max_length=12)
        assignee = ForeignKeyField(Technician, null=True)
        hold_reason = TextField(default="")
        resolution_kind = CharField(max_length=10, null=True)
        resolution_text = TextField(default="")
        closed_how = CharField(max_length=12, null=True)
        reopen_count = IntegerField(default=0)
        version = IntegerField(default=1)
        logged_at = DateTimeField(index=True)
        responded_at = DateTimeField(null=True)
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        updated_at = DateTimeField()

        class Meta:
            indexes = (
                (("status", "priority", "logged_at"), False),
                (("status", "logged_at"), False),
                (("status", "resolved_at"), False),
            )

    class Note(Frozen):
        incident = ForeignKeyField(Incident)
        at = DateTimeField()
        author = TextField()
        public = BooleanField()
        text = TextField()

    class Journal(Frozen):
        at = DateTimeField()
        who = TextField()
        record = CharField(max_length=20)
        record_id = IntegerField()
        action = CharField(max_length=30)
        field = CharField(max_length=30, null=True)
        before = TextField(null=True)
        after = TextField(null=True)

        class Meta:
            indexes = ((("record", "record_id", "at"), False),)

    db.create_tables(
        [Location, Category, Person, Technician, Asset, Kiosk, Incident, Note, Journal]
    )
    # The open queue in priority order, and each technician's open calls.
    db.execute_sql(
        "CREATE INDEX incident_open_queue ON incident (priority, logged_at, id) "
        f"WHERE status IN {OPEN}"
    )
    db.execute_sql(
        "CREATE INDEX incident_open_by_assignee ON incident (assignee_id, priority, logged_at) "
        f"WHERE status IN {OPEN}"
    )
