"""Checks of the compose stack and the image build in docker/ (no container engine needed).

  python scripts/lib/compose_check.py REPO

- every published port is bound to 127.0.0.1;
- every `depends_on` waits for a condition, and a service waited for as healthy has a health
  check (its own, or the image's for `obf serve`);
- a service running the obf image with another subcommand than `serve` has a health check of
  its own (the image's checks /healthz, which only `serve` answers);
- every image is pinned to a version (no `latest`, no bare major tag), except the locally built
  obf image;
- .dockerignore keeps the build folders, the virtualenv, git and Package.resolved out;
- every package of Package.swift is pinned in docker/swift-dependencies.txt.

Prints one line per problem and exits 1 when there is any.
"""
import pathlib
import re
import sys

import yaml

PINNED_TAG = re.compile(r":v?\d+\.\d+\.\d+(-[\w.]+)?$")
LOCAL_IMAGE = "obf:latest"


def main(repo: pathlib.Path) -> int:
    problems = []
    docker = repo / "docker"
    compose = yaml.safe_load((docker / "compose.yaml").read_text())
    services = compose["services"]

    for name, service in services.items():
        for port in service.get("ports", []):
            if not str(port).startswith("127.0.0.1:"):
                problems.append(f"compose.yaml {name}: port {port} is published on every interface")
        image = service.get("image", "")
        if image != LOCAL_IMAGE and not PINNED_TAG.search(image):
            problems.append(f"compose.yaml {name}: image {image!r} is not pinned to a version")
        command = service.get("command", ["serve"])
        if image == LOCAL_IMAGE and command[0] != "serve" and "healthcheck" not in service:
            problems.append(f"compose.yaml {name}: runs `obf {command[0]}` with the image's /healthz check")
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            problems.append(f"compose.yaml {name}: depends_on waits for nothing (give each a condition)")
            continue
        for other, rule in depends.items():
            condition = (rule or {}).get("condition")
            if condition not in ("service_healthy", "service_started", "service_completed_successfully"):
                problems.append(f"compose.yaml {name}: depends_on {other} has no condition")
            if condition == "service_healthy":
                target = services.get(other, {})
                has_check = "healthcheck" in target or (
                    target.get("image") == LOCAL_IMAGE and target.get("command", ["serve"])[0] == "serve")
                if not has_check:
                    problems.append(f"compose.yaml {name}: waits for {other} to be healthy, which has no health check")

    ignore_path = repo / ".dockerignore"
    ignored = set(ignore_path.read_text().split()) if ignore_path.exists() else set()
    for entry in (".git", ".build", ".venv*", "Package.resolved"):
        if entry not in ignored:
            problems.append(f".dockerignore: does not exclude {entry}")

    dockerfile = (docker / "Dockerfile").read_text()
    if "HEALTHCHECK" not in dockerfile:
        problems.append("Dockerfile: no HEALTHCHECK")
    for default in re.findall(r"^ARG \w+_IMAGE=(\S+)", dockerfile, re.MULTILINE):
        if not re.search(r"(:\d+\.\d+(\.\d+)?(-\w+)?|@sha256:\w+)$", default):
            problems.append(f"Dockerfile: base image {default} is not pinned to a version")
    pinned = {line.split()[0] for line in (docker / "swift-dependencies.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    for package in re.findall(r'\.package\(url: "[^"]*/([\w.-]+?)(?:\.git)?"', (repo / "Package.swift").read_text()):
        if package not in pinned:
            problems.append(f"docker/swift-dependencies.txt: package {package} of Package.swift is not pinned")

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
