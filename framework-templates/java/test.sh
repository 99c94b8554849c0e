#!/usr/bin/env bash
# Compiles the Java framework and runs its tests with the JDK alone.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
javac -Xlint:all -Werror -d "$out" $(find src/main src/test -name '*.java')
java -cp "$out" dev.kiln.functions.FrameworkTest
