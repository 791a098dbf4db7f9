"""``python -m irisseg.evaluation`` (same as ``python -m irisseg.evaluate``)."""
from irisseg.evaluation.cli import main

main()
