#!/usr/bin/env bash
# Install the system packages the integration tests need (Dovecot IMAP server,
# openssl for the test certificate, python3 for the capture script).
# Idempotent and non-interactive: does nothing when everything is present,
# and runs `apt-get update` only when an install is actually needed.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd dovecot-core)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v python3 >/dev/null 2>&1 || need+=(python3)

if [ "${#need[@]}" -eq 0 ]; then
    exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi

echo "install-deps: installing ${need[*]}" >&2
# Keep the package from starting a system-wide Dovecot (listening on every
# interface): the tests start their own on 127.0.0.1. policy-rc.d is
# Debian's switch for that; only one we created ourselves is removed.
policy=/usr/sbin/policy-rc.d
if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
# Try the install from the current package lists first; refresh them only
# if that fails (fresh machines usually have no lists at all).
if ! $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >&2; then
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
