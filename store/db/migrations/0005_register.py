"""The full asset register and the software library: make, model, serial, who has it,
status, purchase and warranty, parts; loans of spares; software, where it is installed,
and the standard builds."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
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

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Asset(Frozen):
        class Meta:
            table_name = "asset"

    migrator.migrate(
        migrator.add_column("asset", "make", TextField(default="")),
        migrator.add_column("asset", "model", TextField(default="")),
        migrator.add_column("asset", "serial", TextField(default="")),
        migrator.add_column("asset", "assigned_to", TextField(default="")),
        migrator.add_column("asset", "status", CharField(max_length=10, default="in_use")),
        migrator.add_column("asset", "purchased_on", DateField(null=True)),
        migrator.add_column("asset", "cost_pence", IntegerField(null=True)),
        migrator.add_column("asset", "supplier", TextField(default="")),
        migrator.add_column("asset", "warranty_end", DateField(null=True)),
        migrator.add_column("asset", "notes", TextField(default="")),
        migrator.add_column(
            "asset", "part_of_id", ForeignKeyField(Asset, field=Asset.id, null=True)
        ),
        migrator.add_column("asset", "version", IntegerField(default=1)),
        migrator.add_index("asset", ("status",), False),
    )

    class Loan(Frozen):
        incident = ForeignKeyField(Incident, null=True)
        handed_in = ForeignKeyField(Asset, null=True)
        lent = ForeignKeyField(Asset)
        borrower = TextField()
        lent_at = DateTimeField()
        lent_by = TextField()
        returned_at = DateTimeField(null=True, index=True)
        returned_by = TextField(null=True)

    class Software(Frozen):
        title = TextField()
        version = TextField(default="")
        publisher = TextField(default="")
        purposes = TextField(default="")
        licence = CharField(max_length=12, default="site")
        seats = IntegerField(null=True)
        renews_on = DateField(null=True)
        notes = TextField(default="")
        retired = BooleanField(default=False)

        class Meta:
            indexes = ((("title", "version"), True),)

    class SoftwareInstall(Frozen):
        software = ForeignKeyField(Software)
        asset = ForeignKeyField(Asset, null=True)
        location = ForeignKeyField(Location, null=True)
        installed_at = DateTimeField()

    class Build(Frozen):
        name = CharField(max_length=60, unique=True)
        description = TextField(default="")

    class BuildSoftware(Frozen):
        build = ForeignKeyField(Build)
        software = ForeignKeyField(Software)

        class Meta:
            indexes = ((("build", "software"), True),)

    db.create_tables([Loan, Software, SoftwareInstall, Build, BuildSoftware])
    db.execute_sql(
        "CREATE UNIQUE INDEX software_install_once ON software_install "
        "(software_id, COALESCE(asset_id, 0), COALESCE(location_id, 0))"
    )
