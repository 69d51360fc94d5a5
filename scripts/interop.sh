#!/usr/bin/env bash
# Run the client's interop suite (TestInterop*, examples) against a real
# IMAP server, and against the built-in demo server in both its modes.
#
#   scripts/interop.sh          the tests (make interop)
#   scripts/interop.sh bench    BenchmarkDownload (make bench-interop)
#
# With IMAPWIRE_TEST_ADDR set, the suite runs once against that server, in
# the IMAPWIRE_TEST_SECURITY mode, and no server is started. Otherwise a
# private Dovecot is started in a temporary directory (scripts/dovecot.sh;
# run scripts/install-deps.sh first), the suite runs twice, over STARTTLS
# (IMAPWIRE_TEST_ADDR) and over IMAPS (IMAPWIRE_TEST_TLS_ADDR), then against
# the demo server (imapwire -demo-serve) in its default mode and in its
# other-server mode (-demo-mode other), and the server is stopped and its
# directory removed on exit, whatever happens.
# A system-wide Dovecot is never touched.
#
# Environment:
#   GOTESTFLAGS                  extra flags for go test (e.g. -v)
#   IMAPWIRE_INTEROP_RUN         the -run pattern (default 'Interop|Example')
#   IMAPWIRE_UPDATE_TRANSCRIPT=1 rewrite testdata/captures/interop-dovecot.txt
#                                (from the first run only)
#   BENCHTIME                    -benchtime of the benchmark (default 3x)
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
mode=${1:-test}
case "$mode" in
    test | bench) ;;
    *) echo "usage: scripts/interop.sh [test|bench]" >&2; exit 2 ;;
esac
RUN=${IMAPWIRE_INTEROP_RUN:-Interop|Example}
# shellcheck disable=SC2206 # word splitting of the flags is intended
EXTRA=(${GOTESTFLAGS:-})
CAPTURE=testdata/captures/interop-dovecot.txt

dir=
demo_pid=
# stop_demo stops the demo server run_demo started, if it runs.
stop_demo() {
    if [ -n "$demo_pid" ]; then
        kill "$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
        demo_pid=
    fi
}
cleanup() {
    stop_demo
    if [ -n "$dir" ]; then
        scripts/dovecot.sh stop "$dir" >/dev/null 2>&1 || true
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$SECONDS

# run_suite NAME: one go test run with the current IMAPWIRE_TEST_* variables.
run_suite() {
    local t0=$SECONDS
    echo "== interop: $1 ($IMAPWIRE_TEST_SECURITY, $IMAPWIRE_TEST_ADDR)"
    if [ "$mode" = bench ]; then
        "$GO" test -run '^$' -bench '^BenchmarkDownload$' -benchtime "${BENCHTIME:-3x}" \
            -timeout 30m "${EXTRA[@]}" ./client/
    else
        # The client's suite, and the README's tutorial (internal/readme)
        # against the same server; the REPL's server tests run too.
        "$GO" test -race -count=1 -timeout 10m -run "$RUN" "${EXTRA[@]}" ./client/... ./internal/readme/
        if [ "${REPL_TESTS:-1}" = 1 ]; then # they check Dovecot's own texts
            "$GO" test -race -count=1 -timeout 10m -run 'REPL|PTY' "${EXTRA[@]}" ./cmd/imapwire/
        fi
    fi
    echo "== interop: $1 took $((SECONDS - t0))s"
}

# check_capture: the committed transcript has no password and parses.
check_capture() {
    [ -f "$CAPTURE" ] || return 0
    if [ -n "${IMAPWIRE_TEST_PASS:-}" ] && grep -qF -- "$IMAPWIRE_TEST_PASS" "$CAPTURE"; then
        echo "interop: $CAPTURE contains the test password" >&2
        exit 1
    fi
    "$GO" run ./cmd/imapwire parse -q -strict "$CAPTURE"
}

if [ -n "${IMAPWIRE_TEST_ADDR:-}" ]; then
    export IMAPWIRE_TEST_SECURITY=${IMAPWIRE_TEST_SECURITY:-tls}
    run_suite "server from the environment"
    [ "$mode" = bench ] || check_capture
    echo "== interop passed in $((SECONDS - start))s"
    exit 0
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/imapwire-interop.XXXXXX")
eval "$(scripts/dovecot.sh start "$dir")"
plain_addr=$IMAPWIRE_TEST_ADDR
tls_addr=$IMAPWIRE_TEST_TLS_ADDR

if [ "$mode" = bench ]; then
    # Plain TCP shows the client's own cost best; IMAPS is what real use is.
    IMAPWIRE_TEST_SECURITY=plain IMAPWIRE_TEST_ADDR=$plain_addr run_suite "benchmark, plain"
    IMAPWIRE_TEST_SECURITY=tls IMAPWIRE_TEST_ADDR=$tls_addr run_suite "benchmark, IMAPS"
    exit 0
fi

IMAPWIRE_TEST_SECURITY=starttls IMAPWIRE_TEST_ADDR=$plain_addr run_suite "STARTTLS"
unset IMAPWIRE_UPDATE_TRANSCRIPT
IMAPWIRE_TEST_SECURITY=tls IMAPWIRE_TEST_ADDR=$tls_addr run_suite "IMAPS"
check_capture

# The same suite against the built-in demo server (plaintext on loopback,
# account demo with a password of its own; see internal/demo/doc.go for the
# known differences from Dovecot), in its default mode (like Dovecot) and in
# its other-server mode (-demo-mode other: INBOX. namespace, no LITERAL+, no
# codes on NO, ...), which proves that the suite asserts the protocol and
# not Dovecot's habits.
demo_bin=$dir/imapwire
"$GO" build -o "$demo_bin" ./cmd/imapwire
# run_demo NAME MODE: serve the demo server in MODE and run the suite on
# it. A failure exits the script (set -e); cleanup then stops the server.
run_demo() {
    coproc DEMO { exec "$demo_bin" -demo-serve 127.0.0.1:0 -demo-password interop-pass -demo-mode "$2"; }
    demo_pid=$DEMO_PID
    local demo_addr
    read -r demo_addr <&"${DEMO[0]}"
    IMAPWIRE_TEST_SECURITY=plain IMAPWIRE_TEST_ADDR=$demo_addr IMAPWIRE_TEST_USER=demo \
        IMAPWIRE_UPDATE_TRANSCRIPT= IMAPWIRE_TEST_PASS=interop-pass IMAPWIRE_TEST_PASS2= IMAPWIRE_TEST_USER2= IMAPWIRE_DOVECOT_DIR= \
        IMAPWIRE_TEST_TLS_ADDR= IMAPWIRE_TEST_CA_FILE= IMAPWIRE_TEST_INSECURE= REPL_TESTS=0 run_suite "$1"
    stop_demo
}
run_demo "demo server" dovecot
run_demo "demo server, other-server mode" other
echo "== interop passed in $((SECONDS - start))s"
