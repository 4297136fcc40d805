#!/bin/sh
# gitcoord-shim: installed by `gitcoord install`; `gitcoord uninstall` removes it and restores
# any hook it chained. Runs the chained hook first (same arguments and stdin), then gitcoord.
hook=@HOOK@
chained="${0%/*}/$hook.gitcoord-chained"
if [ -x "$chained" ]; then
  if [ "$hook" = pre-push ]; then
    input=$(mktemp "${TMPDIR:-/tmp}/gitcoord-push.XXXXXX") || exit 1
    trap 'rm -f "$input"' EXIT
    cat >"$input"
    "$chained" "$@" <"$input" || exit $?
    exec <"$input"
  else
    "$chained" "$@" || exit $?
  fi
fi
if [ "${GITCOORD:-1}" = 0 ]; then
  echo "gitcoord: $hook checks skipped for this command (GITCOORD=0)" >&2
  exit 0
fi
bin=${GITCOORD_BIN:-gitcoord}
if ! command -v "$bin" >/dev/null 2>&1; then
  echo "gitcoord: '$bin' was not found, so the $hook checks could not run." >&2
  echo "  next: put gitcoord on PATH or set GITCOORD_BIN; GITCOORD=0 skips the checks knowingly" >&2
  exit 1
fi
if [ "$hook" = pre-push ] && [ -n "${input:-}" ]; then
  "$bin" hook "$hook" "$@"
  exit $?
fi
exec "$bin" hook "$hook" "$@"
