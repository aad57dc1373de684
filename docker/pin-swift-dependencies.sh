#!/bin/sh
# Resolves the package graph with every Swift package at the exact version that
# swift-dependencies.txt (beside Package.swift) names, then fails when the resolved graph holds
# a package the list does not name or one at another version. Run by the image build.
set -eu
list=swift-dependencies.txt
swift package resolve
grep -v '^#' "$list" | while read -r name version; do
    swift package resolve "$name" --version "$version" || exit 1
done
swift package show-dependencies --format flatlist | sort > resolved.txt
grep -v '^#' "$list" | cut -d' ' -f1 | sort | diff - resolved.txt \
    || { echo "the resolved packages differ from $list (< listed only, > resolved only)"; exit 1; }
graph=$(swift package show-dependencies)
grep -v '^#' "$list" | while read -r name version; do
    echo "$graph" | grep -q "/$name.git@$version>" || { echo "$name is not at $version"; exit 1; }
done
echo "$graph"
