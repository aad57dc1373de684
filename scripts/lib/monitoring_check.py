"""Checks of the monitoring files in docker/ that promtool does not make.

  python scripts/lib/monitoring_check.py REPO

- the Grafana dashboards are valid JSON, with unique panel ids, a query on every panel and the
  provisioned Prometheus data source;
- the Grafana provisioning files are valid YAML;
- every alert has a severity, a summary and a description, and a unit test in alerts.test.yml;
- every metric the alerts and the dashboards query is one the README's Metrics table lists.

Prints one line per problem and exits 1 when there is any.
"""
import json
import pathlib
import re
import sys

import yaml

METRIC = re.compile(r"\b((?:obf|process)_[a-z0-9_]+)")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def documented_metrics(readme: str) -> set:
    """The metric names of the README's Metrics table (first column, backticked)."""
    section = readme.split("## Metrics", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`((?:obf|process)_[a-z0-9_]+)", line.split("|")[1]))
    return names


def base_name(name: str, documented: set) -> str:
    if name in documented:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in documented:
            return name[: -len(suffix)]
    return name


def main(repo: pathlib.Path) -> int:
    problems = []
    documented = documented_metrics((repo / "README.md").read_text())
    if not documented:
        problems.append("README.md: no metrics found in the Metrics table")

    def check_names(where: str, text: str) -> None:
        for name in sorted(set(METRIC.findall(text))):
            if base_name(name, documented) not in documented:
                problems.append(f"{where}: metric {name} is not in the README's Metrics table")

    docker = repo / "docker"
    rules = yaml.safe_load((docker / "alerts.yml").read_text())
    tests = yaml.safe_load((docker / "alerts.test.yml").read_text())
    tested = {case["alertname"] for test in tests["tests"] for case in test.get("alert_rule_test", [])
              if case.get("exp_alerts")}
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert")
            if not name:
                continue
            if rule.get("labels", {}).get("severity") not in ("critical", "warning"):
                problems.append(f"alerts.yml: {name} has no severity critical or warning")
            for annotation in ("summary", "description"):
                if not rule.get("annotations", {}).get(annotation):
                    problems.append(f"alerts.yml: {name} has no {annotation}")
            if name not in tested:
                problems.append(f"alerts.test.yml: no test shows {name} firing")
            check_names(f"alerts.yml {name}", rule["expr"])

    provisioned = set()
    for path in sorted((docker / "grafana" / "provisioning").rglob("*.yml")):
        try:
            document = yaml.safe_load(path.read_text())
        except yaml.YAMLError as error:
            problems.append(f"{path.relative_to(repo)}: invalid YAML: {error}")
            continue
        provisioned.update(source["uid"] for source in document.get("datasources", []))

    dashboards = sorted((docker / "grafana" / "dashboards").glob("*.json"))
    if not dashboards:
        problems.append("docker/grafana/dashboards: no dashboard")
    for path in dashboards:
        where = path.relative_to(repo)
        try:
            dashboard = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            problems.append(f"{where}: invalid JSON: {error}")
            continue
        if not dashboard.get("uid") or not dashboard.get("title"):
            problems.append(f"{where}: no uid or title")
        ids = [panel["id"] for panel in dashboard.get("panels", [])]
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: panel ids are not unique")
        for panel in dashboard.get("panels", []):
            if panel.get("type") == "row":
                continue
            title = panel.get("title", panel["id"])
            if panel.get("datasource", {}).get("uid") not in provisioned:
                problems.append(f"{where}: panel '{title}' uses a data source that is not provisioned")
            targets = panel.get("targets", [])
            if not targets or not all(target.get("expr") for target in targets):
                problems.append(f"{where}: panel '{title}' has a target without a query")
            for target in targets:
                check_names(f"{where} '{title}'", target.get("expr", ""))

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
