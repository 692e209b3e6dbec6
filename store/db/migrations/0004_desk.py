"""What the technician desk needs: full-text search over each call's summary, description,
notes and caller (SQLite FTS5; PostgreSQL tsvector with a GIN index), kept current by
triggers, and filled for the calls already there."""

from peewee import PostgresqlDatabase

SQLITE = [
    "CREATE VIRTUAL TABLE incident_search USING fts5(summary, description, notes, requester, "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')",
    """CREATE TRIGGER incident_search_add AFTER INSERT ON incident BEGIN
        INSERT INTO incident_search(rowid, summary, description, notes, requester)
        VALUES (new.id, new.summary, new.description, '',
                (SELECT name FROM person WHERE id = new.requester_id));
    END""",
    """CREATE TRIGGER incident_search_change AFTER UPDATE OF summary, description ON incident
    BEGIN
        UPDATE incident_search SET summary = new.summary, description = new.description
        WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER incident_search_note AFTER INSERT ON note BEGIN
        UPDATE incident_search SET notes = notes || ' ' || new.text WHERE rowid = new.incident_id;
    END""",
    """INSERT INTO incident_search(rowid, summary, description, notes, requester)
        SELECT i.id, i.summary, i.description,
               COALESCE((SELECT group_concat(text, ' ') FROM note WHERE incident_id = i.id), ''),
               p.name
        FROM incident i JOIN person p ON p.id = i.requester_id""",
]

POSTGRES = [
    "CREATE TABLE incident_search (incident_id INTEGER PRIMARY KEY REFERENCES incident (id), "
    "document TSVECTOR NOT NULL)",
    "CREATE INDEX incident_search_document ON incident_search USING GIN (document)",
    """CREATE FUNCTION incident_search_document(wanted INTEGER) RETURNS TSVECTOR AS $$
        SELECT setweight(to_tsvector('english', i.summary), 'A')
            || setweight(to_tsvector('simple', p.name), 'A')
            || setweight(to_tsvector('english', i.description), 'B')
            || setweight(to_tsvector('english', COALESCE(
                   (SELECT string_agg(n.text, ' ') FROM note n WHERE n.incident_id = i.id), '')),
               'C')
        FROM incident i JOIN person p ON p.id = i.requester_id WHERE i.id = wanted
    $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION incident_search_keep() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'note' THEN
            UPDATE incident_search SET document = incident_search_document(NEW.incident_id)
            WHERE incident_id = NEW.incident_id;
        ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO incident_search (incident_id, document)
            VALUES (NEW.id, incident_search_document(NEW.id));
        ELSE
            UPDATE incident_search SET document = incident_search_document(NEW.id)
            WHERE incident_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER incident_search_add AFTER INSERT ON incident "
    "FOR EACH ROW EXECUTE FUNCTION incident_search_keep()",
    "CREATE TRIGGER incident_search_change AFTER UPDATE OF summary, description ON incident "
    "FOR EACH ROW EXECUTE FUNCTION incident_search_keep()",
    "CREATE TRIGGER incident_search_note AFTER INSERT ON note "
    "FOR EACH ROW EXECUTE FUNCTION incident_search_keep()",
    """INSERT INTO incident_search (incident_id, document)
        SELECT i.id, setweight(to_tsvector('english', i.summary), 'A')
            || setweight(to_tsvector('simple', p.name), 'A')
            || setweight(to_tsvector('english', i.description), 'B')
            || setweight(to_tsvector('english', COALESCE(n.texts, '')), 'C')
        FROM incident i JOIN person p ON p.id = i.requester_id
        LEFT JOIN (SELECT incident_id, string_agg(text, ' ') AS texts FROM note
                   GROUP BY incident_id) n ON n.incident_id = i.id""",
]

# The desk's views: what is unassigned, and each technician's open calls by age.
INDEXES = [
    "CREATE INDEX incident_unassigned ON incident (priority, logged_at, id) "
    "WHERE status = 'logged' AND assignee_id IS NULL",
    "CREATE INDEX note_incident_at ON note (incident_id, at)",
]


def up(migrator, db):
    for statement in (POSTGRES if isinstance(db, PostgresqlDatabase) else SQLITE) + INDEXES:
        db.execute_sql(statement)
