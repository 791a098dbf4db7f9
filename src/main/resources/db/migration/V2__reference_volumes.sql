-- The volume of each class in each reference mask (mL), for the quality checks of segmentations.
-- References stored before it was recorded keep NULL: their tasks raise no volume flag.
ALTER TABLE reference_embedding ADD COLUMN volume_ml double precision;
