"""Data for training and evaluation.

- :mod:`.nifti_io`: NIfTI read/write in canonical RAS+ order (nibabel).
- :mod:`.sources`: readers for every set under ``../shared/data``; :mod:`.splits`: what is held out.
- :mod:`.pack` builds the training pack (:mod:`.regions` adds crops); :mod:`.pack_format` reads it
  with numpy only.
- :mod:`.synthetic`: SynthSeg-style images and procedural shapes; :mod:`.augment`: augmentation on the
  grid; :mod:`.episodes`: the episode sampler the trainer draws from.

Everything the training path needs (``pack_format``, ``synthetic``, ``augment``, ``episodes``) runs on
numpy and torch alone; nibabel and scipy are only needed to build the pack.
"""
