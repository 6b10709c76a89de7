#!/usr/bin/env bash
# Installs schemathesis (HTTP fuzzing from /openapi.json: test/e2e/fuzz.e2e.test.ts) into a Python venv in
# the git-ignored .tools/schemathesis, from PyPI, exactly as pinned in dev/fuzz-requirements.txt. Prints the
# path of the schemathesis executable on stdout (progress goes to stderr).
# - Idempotent: skipped when the venv already holds that set of pins (a hash of the file is kept in it);
#   a changed pin list replaces the venv.
# - Needs Python >= 3.11 with venv and ensurepip: the machine's python3 (or PYTHON=<path>). Debian's own
#   python3 has them from the package python3-venv (.ci/run installs it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/dev/fuzz-requirements.txt"
venv="$root/.tools/schemathesis"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$requirements" | cut -d' ' -f1)"

if [ -x "$venv/bin/schemathesis" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$venv/bin/schemathesis"
  exit 0
fi

python="${PYTHON:-python3}"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "dev/fuzz-tools.sh: schemathesis needs Python >= 3.11; $python is $("$python" --version 2>&1)" >&2
  exit 1
}
echo "dev/fuzz-tools.sh: installing schemathesis into $venv" >&2
rm -rf "$venv"
mkdir -p "$root/.tools"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
"$venv/bin/schemathesis" --version >&2
echo "$want" >"$stamp"
echo "$venv/bin/schemathesis"
