#!/usr/bin/env python3
"""Record real IMAP sessions against a private Dovecot for parser golden tests.

Usage (from the repository root):

    dir=$(mktemp -d)
    eval "$(scripts/dovecot.sh start "$dir")"
    python3 scripts/capture.py            # writes testdata/captures/dovecot-*.txt
    scripts/dovecot.sh stop "$dir"

The server address and credentials come from the IMAPWIRE_TEST_* variables
that dovecot.sh prints (or from the command-line flags). The account is
emptied and re-seeded with fixed messages before every recorded session, so
use a private test account only.

Transcript format (see testdata/captures/README.md): each record starts at
the beginning of a line with "S: " (bytes from the server) or "C: " (bytes
from the client), followed by the exact bytes of one IMAP line up to and
including its CRLF. When that line ends with a literal announcement ({n},
{n+} or ~{n}), the n literal bytes follow verbatim, then the rest of the
same IMAP line, without any further prefix. The LOGIN password is replaced
by *** in C: records; everything else is byte-exact.

Python 3 standard library only.
"""

import argparse
import base64
import os
import re
import select
import shutil
import socket
import sys
import time

CRLF = b"\r\n"
LITERAL_AT_END = re.compile(rb"(~?)\{(\d+)(\+?)\}\r\n\Z")


class Literal:
    """A literal argument of a client command."""

    def __init__(self, data, sync=False):
        self.data = data if isinstance(data, bytes) else data.encode("utf-8")
        self.sync = sync


class Transcript:
    """Writes S:/C: records to a file (or nowhere when path is None)."""

    def __init__(self, path=None):
        self.f = open(path, "wb") if path else None

    def server(self, data):
        if self.f:
            self.f.write(b"S: " + data)

    def client(self, data):
        if self.f:
            self.f.write(b"C: " + data)

    def close(self):
        if self.f:
            self.f.close()
            self.f = None


class ImapError(Exception):
    pass


class Conn:
    """A minimal IMAP client that records every byte it sends and receives."""

    def __init__(self, host, port, transcript=None, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.t = transcript or Transcript()
        self.tagn = 0
        self.greeting = self.read_response()

    # -- reading ----------------------------------------------------------

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ImapError("server closed the connection")
        self.buf += chunk

    def _read_line(self):
        while True:
            i = self.buf.find(CRLF)
            if i >= 0:
                line, self.buf = self.buf[: i + 2], self.buf[i + 2 :]
                return line
            self._fill()

    def _read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self):
        """Read one complete response line, literals included, and record it."""
        out = b""
        while True:
            line = self._read_line()
            out += line
            m = LITERAL_AT_END.search(line)
            if not m:
                break
            out += self._read_exact(int(m.group(2)))
        self.t.server(out)
        return out

    def pending(self, wait):
        """True if server data is available within wait seconds."""
        if self.buf:
            return True
        r, _, _ = select.select([self.sock], [], [], wait)
        return bool(r)

    # -- writing ----------------------------------------------------------

    def send_raw(self, data, record=None):
        self.sock.sendall(data)
        self.t.client(data if record is None else record)

    def next_tag(self):
        self.tagn += 1
        return "a%03d" % self.tagn

    def command(self, *args, mask=None, ok=True):
        """Send a command made of str/bytes pieces and Literal()s.

        Pieces are joined with single spaces. Returns (tagged line, all
        responses read including the tagged one). mask: bytes to replace by
        *** in the recorded C: line.
        """
        tag = self.next_tag()
        pending = tag.encode()
        for a in args:
            pending += b" "
            if isinstance(a, Literal):
                if a.sync:
                    pending += b"{%d}\r\n" % len(a.data)
                    self._send_recorded(pending, mask)
                    self._wait_continuation()
                    pending = a.data
                else:
                    pending += b"{%d+}\r\n" % len(a.data) + a.data
            else:
                pending += a if isinstance(a, bytes) else a.encode("utf-8")
        pending += CRLF
        self._send_recorded(pending, mask)
        return self.wait_tagged(tag, ok)

    def _send_recorded(self, data, mask):
        rec = data.replace(mask, b"***") if mask else data
        self.send_raw(data, rec)

    def _wait_continuation(self):
        while True:
            r = self.read_response()
            if r.startswith(b"+"):
                return r
            if not r.startswith(b"*"):
                raise ImapError("expected continuation, got %r" % r)

    def wait_tagged(self, tag, ok=True):
        responses = []
        btag = tag.encode() + b" "
        while True:
            r = self.read_response()
            responses.append(r)
            if r.startswith(btag):
                status = r[len(btag) :].split(b" ", 1)[0]
                if ok and status != b"OK":
                    raise ImapError("%s failed: %r" % (tag, r))
                return r, responses

    def logout(self):
        """LOGOUT, then read to EOF so the server side is done."""
        r = self.command("LOGOUT")
        self.sock.settimeout(10)
        extra = self.buf
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                extra += chunk
        except OSError:
            pass
        if extra:  # nothing is expected after the tagged OK, but keep it exact
            self.t.server(extra)
        self.close()
        return r

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def q(s):
    """Quote a mailbox name or string as an IMAP quoted string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def untagged(responses, name):
    """Return the untagged responses whose first word after '* ' is name."""
    pref = b"* " + name.encode() + b" "
    return [r for r in responses if r.startswith(pref) or r == pref[:-1] + CRLF]


def find_int(pattern, responses):
    for r in responses:
        m = re.search(pattern, r)
        if m:
            return int(m.group(1))
    raise ImapError("no match for %r" % pattern)


# ---------------------------------------------------------------------------
# Test messages. Fixed text and dates so that the seeded mailbox (and hence
# the captures) are reproducible; only server-assigned values (UIDVALIDITY,
# UIDs after re-seeding, MODSEQ, timings) vary between runs.

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8DAAMIQAgAc8gL+"
    "dHoKFwAAAABJRU5ErkJggg=="
)


def crlf(text):
    """Encode a message written with \\n line ends as UTF-8 with CRLF."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


MSG_PLAIN = crlf("""\
Return-Path: <alice@example.org>
Message-ID: <plain-1@example.org>
Date: Mon, 06 Jan 2020 09:15:00 +0100
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hi Bob,

Can we meet tomorrow at 10:00 to go over something important?
The agenda is attached to the calendar invite.

Cheers,
Alice
""")

MSG_REPLY = crlf("""\
Message-ID: <reply-1@example.com>
In-Reply-To: <plain-1@example.org>
References: <plain-1@example.org>
Date: Mon, 06 Jan 2020 11:02:41 -0500
From: Bob Example <bob@example.com>
To: Alice Example <alice@example.org>
Cc: "Carol (Ops)" <carol@example.net>, dave@example.net
Subject: Re: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: quoted-printable

10:00 works for me. I'll book the small room =E2=80=93 the big one is taken.=
 See you there.

Bob

> Can we meet tomorrow at 10:00 to go over something important?
""")

MSG_ALTERNATIVE = crlf("""\
Message-ID: <newsletter-2020-02@news.example.net>
Date: Tue, 04 Feb 2020 07:30:00 +0000
From: "Example News" <news@news.example.net>
Reply-To: No Reply <noreply@news.example.net>
Sender: bounces+1234@mailer.example.net
To: bob@example.com
Subject: Your February newsletter
MIME-Version: 1.0
List-Unsubscribe: <mailto:unsubscribe@news.example.net>
Content-Type: multipart/alternative; boundary="alt-boundary-42"

This is a multi-part message in MIME format.

--alt-boundary-42
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Welcome to the February issue =E2=80=94 three stories this month.
Read more at https://news.example.net/2020/02

--alt-boundary-42
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

<html><body><h1>February</h1><p>Welcome to the February issue =E2=80=94 thr=
ee stories this month.</p></body></html>

--alt-boundary-42--
""")


def b64_lines(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i : i + width] for i in range(0, len(s), width))


MSG_ATTACHMENT = crlf("""\
Message-ID: <report-q1@example.org>
Date: Fri, 03 Apr 2020 16:45:12 +0200
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>, Team <team@example.org>
Subject: Q1 report with chart
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-7f3a"

--mixed-7f3a
Content-Type: text/plain; charset=us-ascii

Please find the chart attached.

--mixed-7f3a
Content-Type: image/png; name="chart.png"
Content-Disposition: attachment; filename="chart.png"; size=73
Content-Transfer-Encoding: base64
Content-ID: <chart@example.org>
Content-Description: Q1 chart

%s
--mixed-7f3a
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

%s
--mixed-7f3a--
""" % (PNG_B64, b64_lines(bytes(range(256)))))

MSG_FORWARD = crlf("""\
Message-ID: <fwd-1@example.com>
Date: Sat, 04 Apr 2020 08:00:00 +0000
From: Bob Example <bob@example.com>
To: Erin <erin@example.com>
Subject: Fwd: Meeting tomorrow
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-boundary"

--fwd-boundary
Content-Type: text/plain; charset=us-ascii

FYI, see the original below.

--fwd-boundary
Content-Type: message/rfc822
Content-Disposition: inline

Message-ID: <plain-1@example.org>
Date: Mon, 06 Jan 2020 09:15:00 +0100
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: Meeting tomorrow
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

Hi Bob,

Can we meet tomorrow at 10:00 to go over something important?

--fwd-boundary--
""")

# Subject: "会议通知" (UTF-8, base64) + " / " + "测试邮件" (GBK, base64),
# display names with Q-encoding. Body is 8bit UTF-8.
MSG_ENCODED = crlf("""\
Message-ID: <intl-1@example.cn>
Date: Sun, 10 May 2020 20:08:09 +0800
From: =?UTF-8?B?5byg5LiJ?= <zhang.san@example.cn>
To: =?UTF-8?Q?Caf=C3=A9_Owner?= <owner@cafe.example.fr>
Subject: =?UTF-8?B?5Lya6K6u6YCa55+l?= / =?GBK?B?suLK1NPKvP4=?=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

大家好，

明天下午三点开会。Café at 15:00 — see you there.
""")

# Raw GBK 8bit body.
MSG_GBK = crlf(
    b"Message-ID: <gbk-1@example.cn>\n"
    b"Date: Mon, 11 May 2020 09:00:00 +0800\n"
    b"From: =?GBK?B?wO7LxA==?= <li.si@example.cn>\n"
    b"To: bob@example.com\n"
    b"Subject: =?GBK?B?1tzN7Lvutq8=?=\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=GBK\n"
    b"Content-Transfer-Encoding: 8bit\n"
    b"\n"
    + "周末活动：周六上午十点在公园集合。\n".encode("gbk")
)

MSG_GROUP = crlf("""\
Message-ID: <bcc-1@example.org>
Date: Wed, 01 Jul 2020 12:00:00 -0700
From: "Alice Example" <alice@example.org>, Mallory <mallory@example.net>
Sender: Alice Example <alice@example.org>
To: undisclosed-recipients:;
Cc: Project Team: carol@example.net, "Dave D." <dave@example.net>;, frank@example.org
Bcc: secret@example.org
Subject: Announcement to a group
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

This message has an empty group in To and a non-empty group in Cc.
""")

# Minimal message: no Subject, no Date, no MIME headers.
MSG_MINIMAL = crlf("""\
From: robot@example.org
To: bob@example.com

ping
""")

# (mailbox, flags, internal date, message)
INBOX_MESSAGES = [
    ("INBOX", r"(\Seen)", "06-Jan-2020 09:15:03 +0100", MSG_PLAIN),
    ("INBOX", r"(\Seen \Answered)", "06-Jan-2020 11:02:45 -0500", MSG_REPLY),
    ("INBOX", "()", "04-Feb-2020 07:30:05 +0000", MSG_ALTERNATIVE),
    ("INBOX", r"(\Flagged $Important)", "03-Apr-2020 16:45:20 +0200", MSG_ATTACHMENT),
    ("INBOX", r"(\Seen $Forwarded)", "04-Apr-2020 08:00:01 +0000", MSG_FORWARD),
    ("INBOX", "()", "10-May-2020 20:08:10 +0800", MSG_ENCODED),
    ("INBOX", "()", "11-May-2020 09:00:02 +0800", MSG_GBK),
    ("INBOX", r"(\Seen)", "01-Jul-2020 12:00:03 -0700", MSG_GROUP),
    ("INBOX", "()", "02-Jul-2020 00:00:00 +0000", MSG_MINIMAL),
]

# Folders: a nested one, one with a space, and "台北" (Taipei) in modified UTF-7.
FOLDERS = ["Work", "Work/Projects", "Travel", "Deleted Items", "&U,BTFw-"]

OTHER_MESSAGES = [
    ("Work", r"(\Seen)", "02-Mar-2020 10:00:00 +0000", crlf("""\
Message-ID: <work-1@example.org>
Date: Mon, 02 Mar 2020 10:00:00 +0000
From: Boss <boss@example.org>
To: bob@example.com
Subject: Budget

Please send the budget by Friday.
""")),
    ("Work/Projects", "()", "03-Mar-2020 10:00:00 +0000", crlf("""\
Message-ID: <proj-1@example.org>
Date: Tue, 03 Mar 2020 10:00:00 +0000
From: Carol <carol@example.net>
To: bob@example.com
Subject: Project kickoff

Kickoff is on Monday.
""")),
    ("&U,BTFw-", r"(\Seen)", "12-May-2020 08:00:00 +0800", crlf("""\
Message-ID: <taipei-1@example.tw>
Date: Tue, 12 May 2020 08:00:00 +0800
From: travel@example.tw
To: bob@example.com
Subject: =?UTF-8?B?5Y+w5YyX6KGM56iL?=
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

5Y+w5YyXMTAx77yM5LiL5Y2I5LiJ6bue44CC
""")),
    ("Sent", r"(\Seen)", "06-Jan-2020 11:02:46 -0500", MSG_REPLY),
    ("Drafts", r"(\Draft)", "07-Jan-2020 08:00:00 +0000", crlf("""\
Date: Tue, 07 Jan 2020 08:00:00 +0000
From: Bob Example <bob@example.com>
To: alice@example.org
Subject: (draft) notes

unfinished
""")),
]

SPECIAL_USE = {"INBOX", "Sent", "Trash", "Drafts", "Junk", "Archive"}

# The message appended from a second connection while the first one IDLEs.
MSG_IDLE = crlf("""\
Message-ID: <idle-1@example.org>
Date: Thu, 02 Jul 2020 09:00:00 +0000
From: Alice Example <alice@example.org>
To: Bob Example <bob@example.com>
Subject: New mail while idling

You have new mail.
""")


# ---------------------------------------------------------------------------


class Capturer:
    def __init__(self, args):
        host, _, port = args.addr.rpartition(":")
        self.host = host.strip("[]")
        self.port = int(port)
        self.user = args.user
        self.password = args.password
        self.out = args.out
        self.maildir = None
        if args.dovecot_dir and self._is_private_instance(args.dovecot_dir):
            self.maildir = os.path.join(args.dovecot_dir, "mail", self.user)

    @staticmethod
    def _is_private_instance(d):
        """Only ever wipe mail inside an instance made by scripts/dovecot.sh."""
        try:
            with open(os.path.join(d, "dovecot.conf"), "rb") as f:
                return b"Generated by scripts/dovecot.sh" in f.read(300)
        except OSError:
            return False

    def connect(self, transcript=None):
        return Conn(self.host, self.port, transcript)

    def login(self, c):
        c.command("LOGIN", q(self.user) if " " in self.user else self.user,
                  self.password, mask=self.password.encode())

    def reset(self):
        """Empty the account before seeding.

        With the private instance's directory at hand (IMAPWIRE_DOVECOT_DIR)
        the user's Maildir is simply wiped, so UIDs restart at 1 and the
        captures are reproducible. Otherwise the account is emptied over IMAP
        (delete extra folders, expunge the rest); UIDs then keep growing.
        """
        if self.maildir and os.path.isdir(self.maildir):
            time.sleep(0.3)  # let the last session's imap process finish
            try:
                for e in os.listdir(self.maildir):
                    p = os.path.join(self.maildir, e)
                    if os.path.isdir(p) and not os.path.islink(p):
                        shutil.rmtree(p)
                    else:
                        os.remove(p)
                return
            except OSError as e:
                print("capture.py: cannot wipe %s (%s); emptying over IMAP"
                      % (self.maildir, e), file=sys.stderr)
        c = self.connect()
        self.login(c)
        _, rs = c.command("LIST", '""', '"*"')
        names = []
        for r in untagged(rs, "LIST"):
            m = re.match(rb'\* LIST \([^)]*\) (?:"[^"]*"|NIL) (.*)\r\n', r)
            name = m.group(1)
            if name.startswith(b'"'):
                name = name[1:-1].replace(b'\\"', b'"').replace(b"\\\\", b"\\")
            names.append(name.decode())
        for name in sorted(names, key=lambda n: -n.count("/")):
            if name in SPECIAL_USE:
                continue
            c.command("DELETE", q(name), ok=False)
        _, rs = c.command("LSUB", '""', '"*"')
        for r in untagged(rs, "LSUB"):
            m = re.match(rb'\* LSUB \([^)]*\) (?:"[^"]*"|NIL) (.*)\r\n', r)
            name = m.group(1).strip(b'"').decode()
            if name not in SPECIAL_USE:
                c.command("UNSUBSCRIBE", q(name), ok=False)
        for name in sorted(SPECIAL_USE):
            _, rs = c.command("SELECT", q(name), ok=False)
            if find_int(rb"\* (\d+) EXISTS", rs) > 0:
                c.command("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
                c.command("EXPUNGE")
            c.command("CLOSE", ok=False)
        c.logout()

    def seed(self, transcript=None):
        """Create the folders and append the fixed messages."""
        c = self.connect(transcript)
        c.command("CAPABILITY")
        self.login(c)
        for f in FOLDERS:
            c.command("CREATE", q(f))
        for f in ["Work", "Work/Projects", "&U,BTFw-"]:
            c.command("SUBSCRIBE", q(f))
        for mbox, flags, date, msg in INBOX_MESSAGES + OTHER_MESSAGES:
            c.command("APPEND", q(mbox), flags, q(date), Literal(msg))
        # One synchronizing literal, to record the server's "+" continuation.
        c.command("APPEND", "Travel", Literal(crlf("""\
Message-ID: <trip-1@example.org>
Date: Fri, 05 Jun 2020 18:00:00 +0000
From: Airline <noreply@air.example.com>
To: bob@example.com
Subject: Your booking confirmation ABC123

Flight XY 123 on 2020-06-20.
"""), sync=True))
        c.command("SELECT", "INBOX")
        c.command("STORE", "2", "+FLAGS", r"(\Flagged)")
        c.command("STORE", "3", "+FLAGS.SILENT", r"($Newsletter)")
        c.logout()

    def capture(self, name, fn):
        self.reset()
        self.seed()
        path = os.path.join(self.out, "dovecot-%s.txt" % name)
        t = Transcript(path)
        try:
            fn(t)
        finally:
            t.close()
        print("wrote", path, file=sys.stderr)

    def caps(self, c):
        _, rs = c.command("CAPABILITY")
        for r in untagged(rs, "CAPABILITY"):
            return set(r.decode().split()[2:])
        return set()

    # -- sessions ------------------------------------------------------------

    def session_seed(self):
        self.reset()
        path = os.path.join(self.out, "dovecot-seed.txt")
        t = Transcript(path)
        try:
            self.seed(t)
        finally:
            t.close()
        print("wrote", path, file=sys.stderr)

    def session_basic(self, t):
        c = self.connect(t)
        c.command("CAPABILITY")
        self.login(c)
        caps = self.caps(c)
        c.command("NAMESPACE")
        c.command("LIST", '""', '"*"')
        c.command("LIST", '""', '"%"')
        c.command("LSUB", '""', '"*"')
        c.command("LIST", "(SPECIAL-USE)", '""', '"*"')
        c.command("LIST", '""', '"*"', "RETURN", "(CHILDREN SUBSCRIBED STATUS (MESSAGES UNSEEN))")
        c.command("LIST", "(SUBSCRIBED RECURSIVEMATCH)", '""', '"Work*"', "RETURN", "(CHILDREN)")
        c.command("STATUS", "INBOX", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)")
        c.command("STATUS", q("&U,BTFw-"), "(MESSAGES UIDNEXT)")
        c.command("EXAMINE", "INBOX")
        c.command("FETCH", "1:3", "(UID FLAGS)")
        c.command("STORE", "1", "+FLAGS", r"(\Deleted)", ok=False)  # NO: read-only
        c.command("SELECT", "INBOX")
        c.command("SEARCH", "ALL")
        c.command("SEARCH", "SINCE", "1-Jan-2000", "TEXT", "something")
        c.command("SEARCH", "UNSEEN", "NOT", "DELETED")
        c.command("UID", "SEARCH", "1:*", "FROM", "alice")
        c.command("UID", "SEARCH", "FLAGGED")
        c.command("SEARCH", "CHARSET", "UTF-8", "SUBJECT", Literal("会议".encode("utf-8"), sync=True))
        c.command("SEARCH", "CHARSET", "UTF-8", "TEXT", Literal("周末".encode("utf-8")))
        c.command("SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "ALL")
        c.command("UID", "SEARCH", "RETURN", "(ALL)", "SEEN")
        c.command("SEARCH", "RETURN", "(COUNT)", "SUBJECT", "nonexistent-word")
        c.command("SEARCH", "OR", "FLAGGED", "KEYWORD", "$Important", "SMALLER", "2000")
        if "SORT" in caps:
            c.command("SORT", "(DATE)", "UTF-8", "ALL")
            c.command("SORT", "(REVERSE SUBJECT)", "UTF-8", "ALL")
            c.command("UID", "SORT", "(FROM)", "UTF-8", "SEEN")
            if "ESORT" in caps:
                c.command("SORT", "RETURN", "(MIN MAX COUNT)", "(ARRIVAL)", "UTF-8", "ALL")
        if "THREAD=REFERENCES" in caps:
            c.command("THREAD", "REFERENCES", "UTF-8", "ALL")
        if "THREAD=ORDEREDSUBJECT" in caps:
            c.command("UID", "THREAD", "ORDEREDSUBJECT", "UTF-8", "ALL")
        c.command("STORE", "1:2", "+FLAGS", r"(\Flagged $Label1)")
        c.command("STORE", "2", "-FLAGS.SILENT", r"(\Flagged)")
        c.command("STORE", "3", "FLAGS", r"(\Seen \Draft)")
        c.command("UID", "STORE", "1:*", "+FLAGS", r"($Checked)")
        c.command("COPY", "1:2", "Work")
        _, rs = c.command("UID", "SEARCH", "ALL")
        uids = [int(x) for x in untagged(rs, "SEARCH")[0].split()[2:]]
        c.command("UID", "MOVE", str(uids[2]), "Archive")
        c.command("COPY", "1", q("No Such Folder"), ok=False)
        c.command("STORE", "1", "+FLAGS.SILENT", r"(\Deleted)")
        c.command("EXPUNGE")
        _, rs = c.command("UID", "SEARCH", "ALL")
        uids = [int(x) for x in untagged(rs, "SEARCH")[0].split()[2:]]
        c.command("UID", "STORE", "%d:%d" % (uids[0], uids[1]), "+FLAGS.SILENT", r"(\Deleted)")
        c.command("UID", "EXPUNGE", str(uids[0]))
        c.command("SEARCH", "DELETED")
        c.command("GETQUOTAROOT", "INBOX")
        c.command("GETQUOTA", q("User quota"))
        c.command("ID", "NIL")
        c.command("ID", '("name" "imapwire-capture" "version" "1")')
        c.command("NOOP")
        # IDLE, with a message appended from a second connection.
        tag = c.next_tag()
        c.send_raw(tag.encode() + b" IDLE\r\n")
        c._wait_continuation()
        other = self.connect()
        self.login(other)
        other.command("APPEND", "INBOX", "()", q("02-Jul-2020 09:00:05 +0000"), Literal(MSG_IDLE))
        other.logout()
        deadline = time.time() + 20
        seen_exists = False
        while time.time() < deadline and not seen_exists:
            if c.pending(0.5):
                r = c.read_response()
                seen_exists = r.startswith(b"* ") and r.endswith(b" EXISTS\r\n")
        if not seen_exists:
            raise ImapError("no EXISTS during IDLE")
        # Collect anything else that arrives right after (e.g. RECENT).
        while c.pending(1.0):
            c.read_response()
        c.send_raw(b"DONE\r\n")
        c.wait_tagged(tag)
        # Errors.
        c.command("FOO", "BAR", ok=False)
        c.command("FETCH", "1", "(FLAGS", ok=False)
        c.command("SELECT", "Nonexistent", ok=False)
        c.command("LOGIN", "again", "x", ok=False)
        # Mailbox management.
        c.command("CREATE", q("Temp/Sub"))
        c.command("CREATE", q("Temp"), ok=False)
        c.command("RENAME", q("Temp"), q("Temp2"))
        c.command("LIST", '""', '"Temp*"')
        c.command("DELETE", q("Temp2/Sub"))
        c.command("DELETE", q("Temp2"))
        c.command("CREATE", q("Caf&AOk-"))
        c.command("SUBSCRIBE", q("Caf&AOk-"))
        c.command("UNSUBSCRIBE", q("Caf&AOk-"))
        c.command("DELETE", q("Caf&AOk-"))
        c.command("SELECT", "INBOX")  # the failed SELECT above deselected
        c.command("CHECK")
        c.command("UNSELECT")
        c.command("SELECT", "Archive")
        c.command("CLOSE")
        c.logout()

    def session_fetch(self, t):
        c = self.connect(t)
        self.login(c)
        c.command("SELECT", "INBOX")
        c.command("FETCH", "1:*", "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE UID)")
        c.command("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY.PEEK[1]<0.20> BODY.PEEK[TEXT])")
        c.command("FETCH", "1", "(BODY[] RFC822.HEADER RFC822.TEXT BINARY.PEEK[1] BINARY.SIZE[1] MODSEQ)")
        c.command("FETCH", "3", "(BODYSTRUCTURE BODY.PEEK[1.MIME] BODY.PEEK[2]<0.40>)")
        c.command("FETCH", "4", "(BODY.PEEK[2] BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[3] BODY.PEEK[2.MIME])")
        c.command("FETCH", "5", "(BODY BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.1])")
        c.command("FETCH", "6:7", "(ENVELOPE BODY.PEEK[HEADER] BINARY.PEEK[1])")
        c.command("FETCH", "8:9", "(ENVELOPE BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED MESSAGE-ID)])")
        c.command("FETCH", "1:3", "FULL")
        c.command("FETCH", "1:3", "FAST")
        c.command("FETCH", "*", "ALL")
        c.command("UID", "FETCH", "1:*", "(RFC822.SIZE FLAGS)")
        c.command("FETCH", "9", "RFC822")
        c.command("FETCH", "2", "(BODY[TEXT]<10.30>)")
        c.command("FETCH", "99", "FLAGS", ok=False)
        c.logout()

    def session_qresync(self, t):
        c = self.connect(t)
        self.login(c)
        c.command("EXAMINE", "INBOX", "(CONDSTORE)")
        c.command("FETCH", "1:*", "(UID FLAGS)", "(CHANGEDSINCE 1)")
        c.command("CLOSE")
        c.command("ENABLE", "QRESYNC")
        _, rs = c.command("STATUS", "INBOX", "(UIDVALIDITY UIDNEXT HIGHESTMODSEQ)")
        uidvalidity = find_int(rb"UIDVALIDITY (\d+)", rs)
        uidnext = find_int(rb"UIDNEXT (\d+)", rs)
        _, rs = c.command("SELECT", "INBOX", "(QRESYNC (%d 1 1:%d))" % (uidvalidity, uidnext))
        modseq0 = find_int(rb"HIGHESTMODSEQ (\d+)", rs)
        c.command("UID", "FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE 1 VANISHED)")
        c.command("STORE", "1", "(UNCHANGEDSINCE %d)" % modseq0, "+FLAGS", r"(\Flagged)")
        c.command("STORE", "1:2", "(UNCHANGEDSINCE %d)" % modseq0, "-FLAGS", r"(\Seen)")
        c.command("SEARCH", "MODSEQ", str(modseq0))
        c.command("FETCH", "1:*", "(MODSEQ)", "(CHANGEDSINCE %d)" % modseq0)
        # Changes from another connection, seen here on NOOP.
        other = self.connect()
        self.login(other)
        other.command("SELECT", "INBOX")
        other.command("STORE", "3", "+FLAGS.SILENT", r"(\Answered)")
        other.command("STORE", "4", "+FLAGS.SILENT", r"(\Deleted)")
        other.command("EXPUNGE")
        other.logout()
        time.sleep(0.5)
        c.command("NOOP")
        c.command("STORE", "5", "+FLAGS.SILENT", r"(\Deleted)")
        c.command("EXPUNGE")
        _, rs = c.command("UID", "SEARCH", "ALL")
        uids = [int(x) for x in untagged(rs, "SEARCH")[0].split()[2:]]
        c.command("UID", "STORE", str(uids[-1]), "+FLAGS.SILENT", r"(\Deleted)")
        c.command("UID", "EXPUNGE", str(uids[-1]))
        c.command("CLOSE")
        # Reconnect-style resync from the modseq seen at the first SELECT.
        c.command("SELECT", "INBOX", "(QRESYNC (%d %d 1:%d))" % (uidvalidity, modseq0, uidnext))
        c.command("UID", "FETCH", "1:*", "(UID FLAGS MODSEQ)", "(CHANGEDSINCE %d VANISHED)" % modseq0)
        c.command("SELECT", "INBOX", "(QRESYNC (1 1))")  # wrong UIDVALIDITY: full resync
        c.logout()


SESSIONS = ["seed", "basic", "fetch", "qresync"]


def read_transcript(data):
    """Split a transcript into (side, bytes) records; side is "S" or "C".

    This is the reference reader for the format: a record is "S: " or "C: "
    at the start of a line, then one IMAP line through its CRLF; a literal
    announced at the end of a line ({n}, {n+}, ~{n}) is followed by n
    verbatim bytes and the rest of the line. A C: record that follows a C:
    record ending in a synchronizing literal {n} starts with those n bytes.
    """
    records = []
    pos = 0
    pending_sync = 0  # literal bytes owed by the client after a "+"
    while pos < len(data):
        side = data[pos : pos + 3]
        if side not in (b"S: ", b"C: "):
            raise ValueError("offset %d: expected 'S: ' or 'C: ', got %r" % (pos, data[pos : pos + 10]))
        pos += 3
        start = pos
        if side == b"C: " and pending_sync:
            pos += pending_sync
            pending_sync = 0
        while True:
            end = data.find(CRLF, pos)
            if end < 0:
                raise ValueError("offset %d: unterminated line" % pos)
            line_end = end + 2
            m = LITERAL_AT_END.search(data, pos, line_end)
            if m is None:
                pos = line_end
                break
            n = int(m.group(2))
            if side == b"C: " and not m.group(3):
                # Synchronizing client literal: the bytes come in the next C: record.
                pending_sync = n
                pos = line_end
                break
            pos = line_end + n
        records.append((side[:1].decode(), data[start:pos]))
    return records


def check(paths):
    ok = True
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            recs = read_transcript(data)
        except ValueError as e:
            print("%s: %s" % (path, e))
            ok = False
            continue
        ns = sum(1 for s, _ in recs if s == "S")
        print("%s: ok, %d server and %d client records" % (path, ns, len(recs) - ns))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", default=os.environ.get("IMAPWIRE_TEST_ADDR"),
                    help="plain IMAP host:port (default $IMAPWIRE_TEST_ADDR)")
    ap.add_argument("--user", default=os.environ.get("IMAPWIRE_TEST_USER", "imapwire"))
    ap.add_argument("--password", default=os.environ.get("IMAPWIRE_TEST_PASS", "imapwire-pass"))
    ap.add_argument("--dovecot-dir", default=os.environ.get("IMAPWIRE_DOVECOT_DIR"),
                    help="the dovecot.sh instance directory; its Maildir is wiped "
                         "before each session (default $IMAPWIRE_DOVECOT_DIR)")
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "captures"),
        help="output directory (default testdata/captures)")
    ap.add_argument("sessions", nargs="*", default=SESSIONS,
                    help="sessions to record: %s (default all); with --check, "
                         "transcript files" % " ".join(SESSIONS))
    ap.add_argument("--check", action="store_true",
                    help="instead of capturing, check that the named transcript files parse")
    args = ap.parse_args()
    if args.check:
        return check(args.sessions)
    if not args.addr:
        ap.error("no server: set IMAPWIRE_TEST_ADDR (eval \"$(scripts/dovecot.sh start DIR)\") or pass --addr")
    for s in args.sessions:
        if s not in SESSIONS:
            ap.error("unknown session %r" % s)
    args.out = os.path.normpath(args.out)
    os.makedirs(args.out, exist_ok=True)
    cap = Capturer(args)
    for s in args.sessions:
        if s == "seed":
            cap.session_seed()
        else:
            cap.capture(s, getattr(cap, "session_" + s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
