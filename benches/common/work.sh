# The folder a bench writes into, sourced by every bench that takes WORK (after ROOT is set).
# WORK=DIR is the caller's: made if missing and kept at the end (KEEP=0 removes it). Without
# WORK, a new temporary folder, removed at the end unless KEEP=1. Says where, on standard error.
if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"
  KEEP=${KEEP:-1}
else
  WORK=$(mktemp -d)
  KEEP=${KEEP:-0}
fi
remove_work() { if [ "$KEEP" != 1 ]; then rm -rf "$WORK"; fi; }
trap remove_work EXIT
if [ "$KEEP" = 1 ]; then
  echo "work dir: $WORK" >&2
else
  echo "work dir: $WORK (removed at the end; KEEP=1 keeps it)" >&2
fi
