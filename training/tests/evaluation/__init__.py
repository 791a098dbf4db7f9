"""Tests of irisseg.evaluation (a package, so that test module names cannot clash with other test folders)."""
