"""``python -m irisseg.evaluate``: see :mod:`irisseg.evaluation.cli`."""
from irisseg.evaluation.cli import main

if __name__ == "__main__":
    main()
