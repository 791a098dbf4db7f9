"""Honest evaluation of an Iris model on held-out subjects (``python -m irisseg.evaluate``).

- :mod:`.metrics`: Dice, IoU, HD95 and ASD in mm, with the empty-mask rules.
- :mod:`.cases`, :mod:`.heldout`, :mod:`.thalamus`: the held-out tasks, read from the original NIfTI files.
- :mod:`.strategies`, :mod:`.tuning`: one-shot, context ensemble, object-level retrieval, in-context
  tuning and the copied-mask floor, all through :class:`irisseg.predictor.IrisPredictor`.
- :mod:`.honesty`: swapped, wrong and blank references.
- :mod:`.runner`, :mod:`.summary`, :mod:`.report`, :mod:`.cli`: running, aggregating and writing reports.
"""
