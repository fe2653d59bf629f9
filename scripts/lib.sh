# Shared helpers for the project's scripts. Source it; do not run it.
set -euo pipefail

TICKETLY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TICKETLY_DATA_DIR="${TICKETLY_DATA_DIR:-$TICKETLY_ROOT/.ticketly}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf '\033[1;34m[ticketly]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[ticketly] error:\033[0m %s\n' "$*" >&2; exit 1; }
warn() { printf '\033[1;33m[ticketly] warning:\033[0m %s\n' "$*" >&2; }

# Runs a command with root rights: directly as root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
