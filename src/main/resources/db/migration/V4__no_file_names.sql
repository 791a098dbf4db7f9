-- No patient data at rest.
-- The file names of uploads (often a patient's name or record number) are no longer stored: the column
-- goes, and with it every name stored so far.
ALTER TABLE task_reference DROP COLUMN filename;

-- Kept reference files are re-written from the decoded volume (geometry and voxels only, no header text,
-- no extensions). Files kept before this migration are the uploads' bytes: they get rewritten = false, and
-- the service re-writes them at start-up and points their references at the re-written files. Files kept
-- from now on are re-written ones.
ALTER TABLE reference_file ADD COLUMN rewritten boolean NOT NULL DEFAULT false;
ALTER TABLE reference_file ALTER COLUMN rewritten SET DEFAULT true;

-- kept_at is also where the retention of kept files (iris.store.reference-retention) counts from.
CREATE INDEX reference_file_kept_at ON reference_file (kept_at);
