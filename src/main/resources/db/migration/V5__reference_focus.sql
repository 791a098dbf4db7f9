-- Each reference encoded inside its focus box too (the focus policy's cube around all its classes), for
-- focused segmentation: the box side (mm) on the reference, and per class the embedding of the class
-- encoded inside the box (little-endian float32, as vector). A reference has focus iff focus_side_mm is
-- not NULL; then every one of its embedding rows has a focus_vector. References stored before keep NULL
-- in both and have no focus; their tasks get it when re-encoded from their kept reference files.
ALTER TABLE task_reference ADD COLUMN focus_side_mm double precision;
ALTER TABLE reference_embedding ADD COLUMN focus_vector bytea;
