"""The Iris network: encoder, task encoding, query-based mask decoder."""
from irisseg.model.builder import build_iris
from irisseg.model.iris import IrisModel

__all__ = ["IrisModel", "build_iris"]
