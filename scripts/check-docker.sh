#!/usr/bin/env bash
# Checks the files of docker/ without a container engine: the Prometheus configuration and
# alerting rules (`promtool check config`), the rules' unit tests (`promtool test rules`), the
# Grafana dashboards and provisioning (scripts/lib/monitoring_check.py), and the compose stack
# and image build (scripts/lib/compose_check.py). Exits non-zero on any failure.
#
#   PYTHON=.venv/bin/python bash scripts/check-docker.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}

command -v promtool >/dev/null 2>&1 || { echo "promtool not found: apt-get install prometheus" >&2; exit 1; }
# prometheus.yml names the demo certificates of the compose stack (docker/tls, made when it
# starts), and promtool checks that they exist: check a copy beside certificates made for it.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp docker/prometheus.yml docker/alerts.yml "$scratch/"
sh docker/make-demo-certificates.sh "$scratch/tls" >/dev/null
promtool check config "$scratch/prometheus.yml"
(cd docker && promtool test rules alerts.test.yml)
"$python" scripts/lib/monitoring_check.py "$(pwd)"
echo "Grafana dashboards and provisioning: ok"
"$python" scripts/lib/compose_check.py "$(pwd)"
echo "compose stack and image build: ok"
