"""Service level management: the service catalogue, a call's service and its clocks,
and outages (docs/service_levels.md)."""

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

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Category(Frozen):
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
        migrator.add_index("incident", ("resolved_at",)),
    )
    # The open queue by when each call is due (the desk's "due" sort).
    db.execute_sql(
        "CREATE INDEX incident_open_due ON incident (due_at, id) "
        "WHERE status IN ('logged', 'assigned', 'in_progress', 'on_hold')"
    )
