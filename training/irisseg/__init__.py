"""Iris: in-context 3D medical image segmentation (Gao et al., CVPR 2025).

Model definition, episodic training, evaluation and the TorchScript export that the Java
service loads (see ``docs/export-contract.md`` at the repository root).
"""

__version__ = "0.1.0"
