#!/usr/bin/env bash
# Start/stop a PRIVATE Dovecot IMAP server for imapwire's integration tests.
#
#   eval "$(scripts/dovecot.sh start DIR)"   # prints `export IMAPWIRE_...` lines
#   scripts/dovecot.sh stop DIR              # stops exactly that instance
#   scripts/dovecot.sh status DIR            # exit 0 if that instance runs
#
# Everything (config, sockets, pid file, logs, state, mail, certificate) lives
# under DIR. It listens only on 127.0.0.1, on free ports chosen at start, and
# never reads or touches /etc/dovecot or a system-wide Dovecot instance.
# It installs nothing: run scripts/install-deps.sh first (CI does).
# Written for Dovecot 2.3 (Debian 12).
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"

TEST_USER=imapwire
TEST_PASS=imapwire-pass
TEST_USER2=other
TEST_PASS2=other-pass

die() { echo "dovecot.sh: $*" >&2; exit 1; }
log() { echo "dovecot.sh: $*" >&2; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/dovecot.sh start DIR   start a private instance in DIR, print export lines
       scripts/dovecot.sh stop DIR    stop the instance in DIR (safe to repeat)
       scripts/dovecot.sh status DIR  exit 0 if the instance in DIR is running
EOF
    exit 2
}

# master_pid DIR: print the pid of the running master of DIR's instance, or fail.
master_pid() {
    local pidfile="$1/run/master.pid" pid
    [ -r "$pidfile" ] || return 1
    pid=$(tr -dc '0-9' <"$pidfile")
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Make sure the pid was not recycled by an unrelated process.
    if [ -r "/proc/$pid/cmdline" ]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q dovecot || return 1
    fi
    echo "$pid"
}

# port_is_free PORT: true if nothing accepts connections on 127.0.0.1:PORT.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_port: print a currently free TCP port on 127.0.0.1.
pick_port() {
    local p
    if command -v python3 >/dev/null 2>&1; then
        p=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null) || p=
        if [ -n "$p" ]; then echo "$p"; return 0; fi
    fi
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if port_is_free "$p"; then echo "$p"; return 0; fi
    done
    die "could not find a free port"
}

# wait_greeting PORT: true once an IMAP greeting is read from 127.0.0.1:PORT.
wait_greeting() {
    local port="$1" line
    # shellcheck disable=SC2016 # $1 expands in the inner bash
    line=$(timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r l <&3 && printf "%s" "$l"
        printf "a LOGOUT\r\n" >&3
    ' _ "$port" 2>/dev/null) || return 1
    case "$line" in "* OK"*) return 0 ;; esac
    return 1
}

# wait_tls PORT: true once a TLS handshake succeeds on 127.0.0.1:PORT.
wait_tls() {
    command -v openssl >/dev/null 2>&1 || return 0
    local out
    out=$(printf 'a LOGOUT\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$1" \
        -servername localhost -quiet 2>/dev/null) || true
    case "$out" in "* OK"*) return 0 ;; esac
    return 1
}

# Extensions advertised before login in addition to Dovecot's login banner.
PRELOGIN_EXTRA_CAPS="UIDPLUS MOVE CONDSTORE QRESYNC ESEARCH LIST-EXTENDED LIST-STATUS SPECIAL-USE NAMESPACE QUOTA"

# postlogin_caps: print Dovecot's default post-login capability list for this
# configuration. The base list is compiled into the imap binary; by default
# Dovecot appends LITERAL+, NOTIFY and SPECIAL-USE to it at run time and the
# imap_quota plugin appends QUOTA, but none of that happens with an explicit
# imap_capability, so they are added here.
postlogin_caps() {
    local bin base=
    for bin in /usr/lib/dovecot/imap /usr/libexec/dovecot/imap /usr/local/libexec/dovecot/imap; do
        if [ -r "$bin" ]; then
            base=$(grep -aoE 'IMAP4rev1 SASL-IR LOGIN-REFERRALS[ -~]*' "$bin" \
                | awk '{ if (length($0) > length(best)) best = $0 } END { print best }') || base=
            [ -n "$base" ] && break
        fi
    done
    if [ -z "$base" ]; then
        # Dovecot 2.3.19's CAPABILITY_STRING.
        base="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE"
    fi
    echo "$base LITERAL+ NOTIFY SPECIAL-USE QUOTA"
}

write_env() {
    local dir="$1" port="$2" tlsport="$3"
    {
        printf 'export IMAPWIRE_TEST_ADDR=%q\n' "127.0.0.1:$port"
        printf 'export IMAPWIRE_TEST_TLS_ADDR=%q\n' "127.0.0.1:$tlsport"
        printf 'export IMAPWIRE_TEST_USER=%q\n' "$TEST_USER"
        printf 'export IMAPWIRE_TEST_PASS=%q\n' "$TEST_PASS"
        printf 'export IMAPWIRE_TEST_USER2=%q\n' "$TEST_USER2"
        printf 'export IMAPWIRE_TEST_PASS2=%q\n' "$TEST_PASS2"
        printf 'export IMAPWIRE_TEST_INSECURE=1\n'
        printf 'export IMAPWIRE_TEST_SECURITY=starttls\n'
        printf 'export IMAPWIRE_TEST_CA_FILE=%q\n' "$dir/ssl/cert.pem"
        printf 'export IMAPWIRE_DOVECOT_DIR=%q\n' "$dir"
    } >"$dir/env.tmp"
    mv "$dir/env.tmp" "$dir/env"
}

make_cert() {
    local dir="$1"
    [ -s "$dir/ssl/cert.pem" ] && [ -s "$dir/ssl/key.pem" ] && return 0
    command -v openssl >/dev/null 2>&1 || die "openssl not found (run scripts/install-deps.sh)"
    mkdir -p "$dir/ssl"
    local extra=()
    # -addext needs OpenSSL >= 1.1.1 (Debian 12 has 3.0).
    if openssl req -help 2>&1 | grep -q -- '-addext'; then
        extra=(-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
               -addext "basicConstraints=critical,CA:TRUE")
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -subj "/CN=localhost/O=imapwire test" "${extra[@]}" \
        -keyout "$dir/ssl/key.pem" -out "$dir/ssl/cert.pem" >/dev/null 2>&1 \
        || die "openssl could not make a certificate"
    chmod 600 "$dir/ssl/key.pem"
    chmod 644 "$dir/ssl/cert.pem"
}

write_config() {
    local dir="$1" port="$2" tlsport="$3" internal_user="$4" login_user="$5"
    local root_only="$6" name
    name="imapwire-$(basename "$dir")"
    cat >"$dir/dovecot.conf" <<EOF
# Private Dovecot instance for imapwire tests. Generated by scripts/dovecot.sh;
# do not edit (it is rewritten on every start).
instance_name = $name
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
debug_log_path = $dir/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
default_internal_user = $internal_user
default_internal_group = $(id -gn "$internal_user")
default_login_user = $login_user
first_valid_uid = 1
first_valid_gid = 1
shutdown_clients = yes
verbose_proctitle = yes

ssl = yes
ssl_cert = <$dir/ssl/cert.pem
ssl_key = <$dir/ssl/key.pem
ssl_min_protocol = TLSv1.2

# Let tests log in over the unencrypted port (loopback only).
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
}

mail_location = maildir:$dir/mail/%u
mail_plugins = \$mail_plugins quota
mailbox_idle_check_interval = 1 secs
mail_max_userip_connections = 100

namespace inbox {
  inbox = yes
  separator = /
  prefix =
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

plugin {
  quota = maildir:User quota
  quota_rule = *:storage=1G
}

# Capabilities. imap-login (pre-login) and imap (post-login) read the same
# imap_capability setting. Pre-login: Dovecot's short login banner plus the
# extensions the tests rely on ("+" appends; STARTTLS and AUTH= are still
# added). Post-login the "+" list would duplicate Dovecot's full default list,
# so the userdb (passwd file) overrides imap_capability for the imap process
# with Dovecot's own default post-login list, passed in via the environment
# (a passwd-file field cannot hold spaces).
imap_capability = +$PRELOGIN_EXTRA_CAPS
import_environment = \$import_environment IMAPWIRE_POSTLOGIN_CAPS

protocol imap {
  mail_plugins = \$mail_plugins imap_quota
  imap_idle_notify_interval = 2 mins
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $tlsport
    ssl = yes
  }
$( [ "$root_only" = yes ] || printf '  chroot =\n  user = %s\n' "$login_user" )
}
$( [ "$root_only" = yes ] || cat <<EOS
service anvil {
  chroot =
}
service imap {
  user = $login_user
}
service auth {
  user = $internal_user
}
service auth-worker {
  user = $internal_user
}
EOS
)
EOF
}

do_start() {
    local dir="$1"
    command -v dovecot >/dev/null 2>&1 || die "dovecot not installed (run scripts/install-deps.sh)"
    local version
    version=$(dovecot --version 2>/dev/null | awk '{print $1}')
    case "$version" in
        2.3.*) ;;
        *) log "warning: written for Dovecot 2.3, found '$version'" ;;
    esac

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    case "$dir" in
        *[[:space:]\"\'\#\$\\]*) die "DIR must not contain spaces, quotes, # or \$: $dir" ;;
    esac

    if master_pid "$dir" >/dev/null; then
        log "instance in $dir already running; reusing it"
        cat "$dir/env"
        return 0
    fi

    # Users: as root, mail is owned by an unprivileged uid and the internal
    # processes run as Debian's dovecot/dovenull users. As non-root everything
    # runs as the invoking user.
    local mail_user internal_user login_user root_only
    if [ "$(id -u)" -eq 0 ]; then
        root_only=yes
        mail_user=nobody
        id dovecot >/dev/null 2>&1 && internal_user=dovecot || internal_user=nobody
        id dovenull >/dev/null 2>&1 && login_user=dovenull || login_user=nobody
    else
        root_only=no
        mail_user=$(id -un)
        internal_user=$mail_user
        login_user=$mail_user
    fi
    local muid mgid
    muid=$(id -u "$mail_user")
    mgid=$(id -g "$mail_user")

    # Processes running as other users must be able to traverse DIR.
    chmod 755 "$dir"
    mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/home"
    chmod 755 "$dir/run" "$dir/state"
    local u
    for u in "$TEST_USER" "$TEST_USER2"; do
        mkdir -p "$dir/mail/$u" "$dir/home/$u"
        chown -R "$muid:$mgid" "$dir/mail/$u" "$dir/home/$u"
    done
    chown "$muid:$mgid" "$dir/mail" "$dir/home"

    {
        echo "$TEST_USER:{PLAIN}$TEST_PASS:$muid:$mgid::$dir/home/$TEST_USER::userdb_imap_capability=%{env:IMAPWIRE_POSTLOGIN_CAPS}"
        echo "$TEST_USER2:{PLAIN}$TEST_PASS2:$muid:$mgid::$dir/home/$TEST_USER2::userdb_imap_capability=%{env:IMAPWIRE_POSTLOGIN_CAPS}"
    } >"$dir/passwd"
    if [ "$root_only" = yes ]; then
        chown "root:$(id -gn "$internal_user")" "$dir/passwd"
        chmod 640 "$dir/passwd"
    else
        chmod 600 "$dir/passwd"
    fi

    make_cert "$dir"

    # Ports are probed free, but another process could take one before
    # Dovecot binds it: retry with new ports if the start fails.
    local attempt port tlsport pid ok
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        tlsport=$(pick_port)
        [ "$port" != "$tlsport" ] || continue
        write_config "$dir" "$port" "$tlsport" "$internal_user" "$login_user" "$root_only"
        if ! doveconf -c "$dir/dovecot.conf" -n >/dev/null 2>"$dir/doveconf.err"; then
            cat "$dir/doveconf.err" >&2
            die "invalid generated configuration $dir/dovecot.conf"
        fi
        rm -f "$dir/run/master.pid"
        if ! IMAPWIRE_POSTLOGIN_CAPS=$(postlogin_caps) \
                dovecot -c "$dir/dovecot.conf" >>"$dir/start.log" 2>&1; then
            log "dovecot failed to start (attempt $attempt):"
            tail -n 5 "$dir/start.log" >&2 || true
            tail -n 5 "$dir/dovecot.log" >&2 2>/dev/null || true
            continue
        fi
        ok=no
        for _ in $(seq 1 100); do
            if wait_greeting "$port" && wait_tls "$tlsport"; then
                ok=yes
                break
            fi
            master_pid "$dir" >/dev/null || break
            sleep 0.1
        done
        if [ "$ok" = yes ]; then
            write_env "$dir" "$port" "$tlsport"
            cat "$dir/env"
            log "Dovecot $version running in $dir (imap 127.0.0.1:$port, imaps 127.0.0.1:$tlsport, pid $(master_pid "$dir" || echo '?'))"
            return 0
        fi
        log "instance did not come up (attempt $attempt); log tail:"
        tail -n 10 "$dir/dovecot.log" >&2 2>/dev/null || true
        do_stop "$dir" >/dev/null 2>&1 || true
    done
    die "could not start Dovecot in $dir (see $dir/dovecot.log)"
}

# instance_procs_left NAME: true while a process of the instance is alive
# (Dovecot titles them "dovecot-<instance_name>/<service>"). Only looks.
instance_procs_left() {
    if command -v pgrep >/dev/null 2>&1; then
        pgrep -f -- "$1" >/dev/null
        return
    fi
    local f
    for f in /proc/[0-9]*/cmdline; do
        { tr '\0' ' ' <"$f" | grep -qF -- "$1"; } 2>/dev/null && return 0
    done
    return 1
}

do_stop() {
    local dir="$1" pid
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    pid=$(master_pid "$dir") || { rm -f "$dir/run/master.pid"; return 0; }
    if [ -f "$dir/dovecot.conf" ]; then
        dovecot -c "$dir/dovecot.conf" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    else
        kill -TERM "$pid" 2>/dev/null || true
    fi
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "master $pid did not exit; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/run/master.pid"
    # The master's children (log, stats, ...) exit right after it; wait for
    # them so that a following start or rm -rf of DIR does not race them.
    local name
    name="dovecot-imapwire-$(basename "$dir")/"
    for _ in $(seq 1 50); do
        instance_procs_left "$name" || break
        sleep 0.1
    done
    return 0
}

[ $# -eq 2 ] || usage
case "$1" in
    start) do_start "$2" ;;
    stop) do_stop "$2" ;;
    status) master_pid "$2" >/dev/null ;;
    *) usage ;;
esac
