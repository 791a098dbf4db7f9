"""Tests of irisseg.train (a package, so that test module names cannot clash with other test folders)."""
