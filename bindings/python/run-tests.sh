#!/usr/bin/env bash
# Builds the beaker_session_jwt_rs wheel in a venv and runs its pytest suite against the pinned
# Python package (tests/python/requirements.txt). Exits non-zero if anything fails, including
# pytest finding no tests. Needs python3 (with venv: Debian's python3-venv) and cargo.
#
#   bash bindings/python/run-tests.sh [pytest args...]
#
# The venv lives under $CARGO_TARGET_DIR (default: the repository's target/), keyed by the pinned
# requirements, so later runs only rebuild the wheel.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$TARGET"
TARGET="$(cd "$TARGET" && pwd)"
export CARGO_TARGET_DIR="$TARGET"

PYTHON="${PYTHON:-python3}"
HASH="$(cat "$ROOT/tests/python/requirements.txt" "$HERE/requirements-dev.txt" | "$PYTHON" -c \
  'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')"
VENV="$TARGET/python-bindings-venv/$HASH"

if [ ! -x "$VENV/bin/python" ] || [ ! -f "$VENV/.complete" ]; then
  echo "==== venv $VENV" >&2
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "run-tests.sh: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r "$ROOT/tests/python/requirements.txt" \
    -r "$HERE/requirements-dev.txt"
  touch "$VENV/.complete"
fi

echo "==== maturin build --release" >&2
WHEELS="$TARGET/python-bindings-wheels"
rm -rf "$WHEELS"
(cd "$HERE" && "$VENV/bin/maturin" build --release --locked --interpreter "$VENV/bin/python" --out "$WHEELS")
"$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$WHEELS"/beaker_session_jwt_rs-*.whl

echo "==== pytest" >&2
set +e
(cd "$HERE" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests "$@")
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "run-tests.sh: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
