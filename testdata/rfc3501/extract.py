#!/usr/bin/env python3
"""Extract the server responses ("S: " lines) of RFC 3501 sections 6, 7
and 8 into one file per (sub)section, with CRLF line ends.

Usage: extract.py path/to/rfc3501.txt outdir

Editorial line breaks are undone as README.md describes: wrapped
CAPABILITY and FETCH lines are joined with one SP (without SP between the
two addresses of the Cc list, where the grammar has none), base64 lines of
AUTHENTICATE challenges are joined with nothing, and prose in angle
brackets or parentheses and ". . ." between examples is dropped.
"""
import re
import sys

src, outdir = sys.argv[1], sys.argv[2]
lines = open(src, encoding="ascii").read().split("\n")

FIRST, LAST = 1255, 4486  # "6. Client Commands" .. before "9. Formal Syntax"
heading = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
sline = re.compile(r"^\s*(?:Example:\s+)?S:(.*)$")
cline = re.compile(r"^\s*(?:Example:\s+)?C:")
files = {}  # name -> list of lines
order = []
cur = None
last = None  # index into files[cur] of the last S: line, for continuations
prev_no = None
for no in range(FIRST, LAST + 1):
    text = lines[no - 1]
    m = heading.match(text)
    if m:
        num, title = m.group(1), m.group(2)
        title = re.sub(r"^(Client Commands|Server Responses) - ", "", title)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        slug = re.sub(r"-(command|response)$", "", slug)
        cur = num + "-" + slug
        last = None
        continue
    m = sline.match(text)
    if m:
        body = m.group(1).lstrip(" ")
        files.setdefault(cur, [])
        if cur not in order:
            order.append(cur)
        files[cur].append(body)
        last = len(files[cur]) - 1
        continue
    if cline.match(text) or text.strip() == "":
        last = None
        continue
    if last is None:
        continue
    cont = text.strip()
    if cont.startswith("<") or cont.startswith("(Server") or cont == ". . .":
        continue  # editorial prose
    prevline = files[cur][last]
    if prevline.startswith("+ "):
        sep = ""  # base64 broken for editorial clarity (section 6.2.2 note)
    elif prevline.endswith('"CNRI.Reston.VA.US")'):
        sep = ""  # env-cc = "(" 1*address ")": no SP between addresses
    else:
        sep = " "
    files[cur][last] = prevline + sep + cont

for name in order:
    with open(f"{outdir}/{name}.txt", "wb") as f:
        f.write(("\r\n".join(files[name]) + "\r\n").encode("ascii"))
    print(name, len(files[name]))
