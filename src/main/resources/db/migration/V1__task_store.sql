-- Task store on PostgreSQL (iris.store.type=postgres). Every change of a task is one transaction that
-- also bumps task.revision and sends NOTIFY iris_task_changes, so that the other replicas drop their
-- cached copy.

CREATE TABLE task (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL,
    model_version text        NOT NULL,
    created_at    timestamptz NOT NULL,
    -- bumped by every change; replicas compare it with the one of their cached copy
    revision      bigint      NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_created ON task (created_at, id);

CREATE TABLE task_class (
    task_id  uuid    NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    position integer NOT NULL,
    label    integer NOT NULL CHECK (label BETWEEN 1 AND 65535),
    name     text    NOT NULL,
    PRIMARY KEY (task_id, position),
    UNIQUE (task_id, label)
);

CREATE TABLE task_reference (
    task_id       uuid      NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    position      integer   NOT NULL,
    filename      text      NOT NULL,
    image_sha256  text      NOT NULL,
    mask_sha256   text      NOT NULL,
    shape         integer[] NOT NULL,
    model_version text      NOT NULL,
    PRIMARY KEY (task_id, position)
);
CREATE INDEX task_reference_image ON task_reference (image_sha256);
CREATE INDEX task_reference_mask ON task_reference (mask_sha256);

-- One embedding per reference and class: little-endian float32, as in the file store's documents.
CREATE TABLE reference_embedding (
    task_id   uuid    NOT NULL,
    position  integer NOT NULL,
    label     integer NOT NULL,
    vector    bytea   NOT NULL,
    PRIMARY KEY (task_id, position, label),
    FOREIGN KEY (task_id, position) REFERENCES task_reference (task_id, position) ON DELETE CASCADE
);

-- Kept reference files (iris.store.keep-references), content-addressed by SHA-256, stored in chunks so
-- that neither writing nor reading one holds the whole file in memory. kept_at is refreshed whenever the
-- same content is kept again; files no task refers to are removed once they are older than a grace period
-- (a registration keeps its files before it saves its task).
CREATE TABLE reference_file (
    sha256  text        PRIMARY KEY,
    blob_id uuid        NOT NULL UNIQUE,
    size    bigint      NOT NULL,
    chunks  integer     NOT NULL,
    kept_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reference_file_chunk (
    blob_id uuid    NOT NULL REFERENCES reference_file (blob_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    seq     integer NOT NULL,
    data    bytea   NOT NULL,
    PRIMARY KEY (blob_id, seq)
);
