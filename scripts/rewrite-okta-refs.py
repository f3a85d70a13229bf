#!/usr/bin/env python3
"""Rewrite legacy `<research notes> §N` references into links to docs/okta-reference.md.

The legacy names (the research notes the reference was written from) are LEGACY and
VENDOR_NOTES below, spelled in two halves so that this file never names them whole.

Usage: python3 scripts/rewrite-okta-refs.py [--check] [PATH ...]
Default paths: src scenarios profiles docs tests README.md. Idempotent: run it again after a
merge brings in more legacy references. With --check it only lists the files it would change
and exits 1 if there are any.

Rules: `LEGACY §4.3, §8.1` -> `docs/okta-reference.md#s4-3, docs/okta-reference.md#s8-1`;
`§7 (steady state)` / `§7 "Steady state"` -> `#s7-steady`; `§10 A` -> `#s10-a`; a range
`§4.5–§4.7` lists every section of the range; text between references (`step 15`,
`(PUT dialect)`) is kept; RFC section numbers (`RFC 7644 §3.12`) are left alone. A bare
LEGACY becomes `docs/okta-reference.md`. Vendor notes (`VENDOR_NOTES "Pulumi"`) become
`docs/okta-reference.md#s12-pulumi`.
"""
import re
import sys
from pathlib import Path

LEGACY = "okta-protocol" + ".md"
TARGET = "docs/okta-reference.md"
DEFAULT_PATHS = ["src", "scenarios", "profiles", "docs", "tests", "README.md"]
SUFFIXES = {".rs", ".md", ".yaml", ".yml", ".snap", ".json", ".txt", ".sh", ".toml"}
SKIP = {"docs/okta-reference.md", "scripts/rewrite-okta-refs.py"}

TOKEN = re.compile(
    r'§(?P<a>\d+(?:\.\d+)?)'
    r'(?P<letter>\s+[ABC]\b)?'
    r'(?:\s*(?:–|-|to)\s*§(?P<b>\d+(?:\.\d+)?))?'
    r'(?P<steady>\s+\((?:steady state)\)|\s+"Steady state")?'
)
RFC_BEFORE = re.compile(r'RFC\s*\d+\s*$')


def anchor(section, letter=None, steady=False):
    if steady and section == "7":
        return "s7-steady"
    slug = "s" + section.replace(".", "-")
    if letter:
        slug += "-" + letter.strip().lower()
    return slug


def expand(a, b):
    """Every section of the range a..b (same parent, e.g. 4.5..4.7)."""
    if not b:
        return [a]
    pa, pb = a.split("."), b.split(".")
    if len(pa) == 2 and len(pb) == 2 and pa[0] == pb[0]:
        return [f"{pa[0]}.{n}" for n in range(int(pa[1]), int(pb[1]) + 1)]
    if len(pa) == 1 and len(pb) == 1:
        return [str(n) for n in range(int(a), int(b) + 1)]
    return [a, b]


def link(m):
    sections = expand(m.group("a"), m.group("b"))
    letter = m.group("letter")
    steady = bool(m.group("steady"))
    return ", ".join(f"{TARGET}#{anchor(s, letter, steady)}" for s in sections)


def rewrite_tail(tail):
    """Replace § tokens in the text that follows a legacy file name on one line."""
    out, pos = [], 0
    for m in TOKEN.finditer(tail):
        if RFC_BEFORE.search(tail[:m.start()]):
            continue
        out.append(tail[pos:m.start()])
        out.append(link(m))
        pos = m.end()
    out.append(tail[pos:])
    return "".join(out)


VENDOR_NOTES = "vendors" + ".md"
VENDORS = {
    "Unleash": "s12-unleash",
    "ConfigCat": "s12-configcat",
    "GitHub Enterprise Managed Users": "s12-github-emu",
    "Pulumi": "s12-pulumi",
}


def rewrite_vendor_notes(line):
    """`VENDOR_NOTES "Unleash"` -> the vendor's section of the reference; bare name -> section 12."""
    for name, slug in VENDORS.items():
        line = line.replace(f'{VENDOR_NOTES} "{name}"', f"{TARGET}#{slug}")
    return line.replace(VENDOR_NOTES, f"{TARGET}#s12")


def rewrite_line(line):
    if VENDOR_NOTES in line:
        line = rewrite_vendor_notes(line)
    if LEGACY not in line:
        return line
    # a prefix test on the legacy name followed by a bare section sign
    line = line.replace(f'{LEGACY} §"', f'{TARGET}#s"')
    head, sep, tail = line.partition(LEGACY)
    if not sep:
        return line
    tail = rewrite_line(tail) if LEGACY in tail else tail
    m = re.match(r'(`?)(\s*)(?=§\d)', tail)
    if m:
        # `LEGACY` §4.2 / LEGACY §4.2: the first link replaces the name
        rest = rewrite_tail(tail[m.end():])
        if head.endswith("`") and m.group(1) == "`":
            return head[:-1] + rest
        return head + rest
    return head + TARGET + rewrite_tail(tail)


def rewrite_text(text):
    return "".join(rewrite_line(l) for l in text.splitlines(keepends=True))


def files(paths):
    for p in map(Path, paths):
        if p.is_file():
            yield p
        elif p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix in SUFFIXES and "target" not in f.parts:
                    yield f


def main(argv):
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"] or DEFAULT_PATHS
    changed = []
    for f in files(paths):
        if f.as_posix() in SKIP:
            continue
        text = f.read_text(encoding="utf-8")
        new = rewrite_text(text)
        if new != text:
            changed.append(f)
            if not check:
                f.write_text(new, encoding="utf-8")
    for f in changed:
        print(("would rewrite " if check else "rewrote ") + str(f))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
