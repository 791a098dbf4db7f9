# Quick start:  make run   (build the service and start it with the bundled model)
#               make test  (every test: Python, then Java; .ci/run calls this)
PYTHON ?= python3
VENV := .venv
# Where a local Python package mirror exists (offline build machines), use it; elsewhere plain pip.
PIP_ENV := $(if $(wildcard /opt/pypi/simple),PIP_INDEX_URL=file:///opt/pypi/simple $(if $(wildcard /opt/pypi-more/simple),PIP_EXTRA_INDEX_URL=file:///opt/pypi-more/simple,),)

.PHONY: build run test test-python test-java venv export-random clean

build:
	mvn -B -DskipTests package

run: build
	java -jar target/iris-service.jar

test: test-python test-java

venv: $(VENV)/.installed

$(VENV)/.installed: training/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP_ENV) $(VENV)/bin/pip install -q --disable-pip-version-check -e 'training[test]'
	touch $@

test-python: venv
	cd training && ../$(VENV)/bin/python -m pytest -q

test-java:
	mvn -B verify

# An untrained (random-init) export of the small preset, for wiring checks without the trained model:
#   make export-random && mvn -B verify -Diris.test.model-dir=target/iris-random
export-random: venv
	cd training && ../$(VENV)/bin/python -m irisseg.export --random-init --preset small --out ../target/iris-random

clean:
	rm -rf target $(VENV)
