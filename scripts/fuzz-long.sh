#!/usr/bin/env bash
# fuzz-long.sh: run every fuzz target for FUZZTIME (default 1h), one after
# another, keep the inputs that found new coverage as committed seeds under
# each package's testdata/fuzz/TARGET/, and print per target the time, the
# executions and the new-coverage count.
#
#   FUZZTIME=1h scripts/fuzz-long.sh [TARGET ...]    (make fuzz-long)
#
# A finding stops that target: go test prints the failing input and writes
# it under testdata/fuzz/TARGET/; commit it under a name that says what it
# found, with a unit test that explains it.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-1h}
PARALLEL=${FUZZPARALLEL:-1}
module=$("$GO" list -m)
cache=$("$GO" env GOCACHE)/fuzz
logdir=${FUZZLOGS:-$(mktemp -d)}
summary=()
status=0
for pkg in ./fuzz/ ./client/; do
    for t in $("$GO" test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
        if [ "$#" -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$t"; then
            continue
        fi
        log="$logdir/$t.log"
        echo "== $pkg $t ($FUZZTIME, log $log)"
        start=$SECONDS
        "$GO" test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -parallel "$PARALLEL" "$pkg" >"$log" 2>&1
        rc=$?
        took=$((SECONDS - start))
        last=$(grep -E '^fuzz: elapsed' "$log" | tail -1)
        execs=$(sed -nE 's/.*execs: ([0-9]+).*/\1/p' <<<"$last")
        newcov=$(sed -nE 's/.*new interesting: ([0-9]+).*/\1/p' <<<"$last")
        # Keep what found new coverage as seeds of the next run.
        src="$cache/$module/${pkg#./}"
        src="${src%/}/$t"
        dst="${pkg%/}/testdata/fuzz/$t"
        kept=0
        if [ -d "$src" ]; then
            mkdir -p "$dst"
            for f in "$src"/*; do
                [ -e "$dst/$(basename "$f")" ] || { cp "$f" "$dst/"; kept=$((kept + 1)); }
            done
        fi
        verdict=ok
        if [ $rc -ne 0 ]; then
            verdict=FINDING
            status=1
            tail -30 "$log"
        fi
        summary+=("$(printf '%-26s %-8s %6ss %12s execs %5s new coverage (%s kept as seeds)' "$t" "$verdict" "$took" "${execs:-?}" "${newcov:-?}" "$kept")")
    done
done
echo "== fuzz-long summary ($(date -u +%Y-%m-%dT%H:%MZ), FUZZTIME=$FUZZTIME, $("$GO" version | cut -d' ' -f3))"
printf '%s\n' "${summary[@]}"
exit $status
