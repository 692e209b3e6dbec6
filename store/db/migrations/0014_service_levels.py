"""Service level management: the service catalogue, a call's service and its clocks,
and outages (docs/service_levels.md). A new catalogue starts with the services most
schools depend on, over the starting categories that exist: guesses a school changes,
so that every call has a service from the first day."""

import datetime

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

# name, plain words, owner, cover, criticality, availability target, categories
STARTING = (
    ("Network and internet", "The school network, Wi-Fi and the internet connection",
     "Network manager", "school", "high", 99.5, ("wifi", "network")),
    ("Logins and accounts", "Signing in to computers and online services",
     "Network manager", "school", "high", 99.5, ("login",)),
    ("MIS", "The management information system: registers, timetables and reports",
     "Data manager", "school", "high", 99.5, ("mis",)),
    ("Email", "Staff and pupil email", "Network manager", "always", "high", 99.5, ("email",)),
    ("Classroom projectors", "Projectors, interactive boards and speakers in "
     "teaching rooms", "Network manager", "school", "high", 98.0, ("projector",)),
    ("Printing", "Printers, copiers and printing credit", "Office manager", "school",
     "medium", 98.0, ("printer",)),
    ("Computers and laptops", "Desktops, laptops and Chromebooks for staff and pupils",
     "Network manager", "school", "medium", 97.0, ("laptop", "desktop")),
    ("Software", "Teaching and office software", "Network manager", "school", "medium",
     98.0, ("software",)),
    ("Telephones", "The school's telephones and voicemail", "Office manager", "school",
     "medium", 99.0, ("phone",)),
)  # fmt: skip


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Category(Frozen):
        name = CharField(max_length=40, unique=True)

        class Meta:
            table_name = "category"

    class Asset(Frozen):
        class Meta:
            table_name = "asset"

    class Service(Frozen):
        name = CharField(max_length=60, unique=True)
        description = TextField(default="")
        owner = TextField(default="")
        cover = CharField(max_length=10, default="school")
        criticality = CharField(max_length=10, default="medium")
        availability_target = FloatField(default=99.0)
        supplier = TextField(default="")
        contract = TextField(default="")
        retired = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            table_name = "service"

    class ServiceCategory(Frozen):
        service = ForeignKeyField(Service)
        category = ForeignKeyField(Category, unique=True)

        class Meta:
            table_name = "service_category"

    class ServiceAsset(Frozen):
        service = ForeignKeyField(Service)
        asset = ForeignKeyField(Asset, unique=True)

        class Meta:
            table_name = "service_asset"

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
            table_name = "journal"

    class Outage(Frozen):
        service = ForeignKeyField(Service)
        starts_at = DateTimeField()
        ends_at = DateTimeField(null=True)
        incident = ForeignKeyField(Incident, null=True)
        note = TextField(default="")
        recorded_by = TextField()
        recorded_at = DateTimeField()

        class Meta:
            table_name = "outage"
            indexes = ((("service", "starts_at"), False),)

    db.create_tables([Service, ServiceCategory, ServiceAsset, Outage])
    migrator.migrate(
        migrator.add_column(
            "incident",
            "service_id",
            ForeignKeyField(Service, field=Service.id, null=True, on_delete="SET NULL"),
        ),
        migrator.add_column("incident", "respond_due_at", DateTimeField(null=True)),
        migrator.add_column("incident", "due_at", DateTimeField(null=True)),
        migrator.add_column("incident", "respond_secs", IntegerField(null=True)),
        migrator.add_column("incident", "resolve_secs", IntegerField(null=True)),
        migrator.add_column("incident", "respond_met", BooleanField(null=True)),
        migrator.add_column("incident", "resolve_met", BooleanField(null=True)),
    )
    # The service report counts a term's calls from these alone (index-only scans): by
    # when they were logged, and by when they were resolved.
    db.execute_sql(
        "CREATE INDEX incident_logged_report ON incident "
        "(logged_at, category_id, priority, channel, respond_met, reopen_count)"
    )
    db.execute_sql(
        "CREATE INDEX incident_resolved_report ON incident "
        "(resolved_at, priority, resolve_secs, resolve_met, reopen_count, closed_how)"
    )
    # The open queue by when each call is due (the desk's "due" sort).
    db.execute_sql(
        "CREATE INDEX incident_open_due ON incident (due_at, id) "
        "WHERE status IN ('logged', 'assigned', 'in_progress', 'on_hold')"
    )
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    kinds = {row.name: row.id for row in Category.select(Category.id, Category.name)}
    for name, words, owner, cover, criticality, target, names in STARTING:
        row = Service.create(
            name=name,
            description=words,
            owner=owner,
            cover=cover,
            criticality=criticality,
            availability_target=target,
            created_at=now,
        )
        Journal.create(
            at=now, who="setup", record="service", record_id=row.id, action="add", after=name
        )
        for kind in names:
            if kind in kinds:
                ServiceCategory.create(service=row.id, category=kinds[kind])
