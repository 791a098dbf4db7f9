"""Honest evaluation of an Iris model on held-out subjects (``python -m irisseg.evaluate``).

- :mod:`.metrics`: Dice, IoU, HD95 and ASD in mm, with the empty-mask rules.
- :mod:`.cases`, :mod:`.heldout`: subjects and tasks, the held-out hippocampus task, read from the
  original NIfTI files.
- :mod:`.unseen`, :mod:`.thalamus`: the unseen-structure suite (thalamus, BraTS tumour leave-one-out,
  TotalSegmentator organs across CT and MR, fetal corpus callosum).
- :mod:`.strategies`, :mod:`.tuning`: one-shot, context ensemble, object-level retrieval, in-context
  tuning and the copied-mask floor, all through :class:`irisseg.predictor.IrisPredictor`.
- :mod:`.copytest`, :mod:`.honesty`: does the model read its reference? The copy test (own scan,
  re-cropped and re-oriented), swapped, wrong and blank references.
- :mod:`.runner`, :mod:`.summary`, :mod:`.suite`, :mod:`.report`, :mod:`.cli`: running, aggregating
  (the unseen suite's targets included) and writing reports.
"""
