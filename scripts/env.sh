# Sourced by the other scripts: puts the tools that scripts/setup installs on PATH.
# shellcheck shell=bash

ORBITAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ORBITAL_ROOT
export PATH="$ORBITAL_ROOT/scripts/build-tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The pages reference the bundle that `cargo xtask build` writes here.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ORBITAL_ROOT/target/site}"
# Browser tests use Debian's Chromium; no browser download is ever attempted.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# When the outermost script started: each step heading says how far into the run it begins.
ORBITAL_STARTED="${ORBITAL_STARTED:-$(date +%s)}"
export ORBITAL_STARTED

# Prints a step heading with the time since the run started.
step() {
  local elapsed=$(($(date +%s) - ORBITAL_STARTED))
  printf '\n==> [%dm%02ds] %s\n' $((elapsed / 60)) $((elapsed % 60)) "$*"
}

# Prints what went wrong and what to do, then exits.
fail() {
  printf 'error: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'what to do: %s\n' "$2" >&2
  exit 1
}
