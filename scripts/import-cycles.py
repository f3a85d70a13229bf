#!/usr/bin/env python3
"""Lists import cycles in src/: by top-level module and by file.

Reads every `crate::`, `super::` and `self::` path in non-test code (use trees expanded, inline
paths included), resolves each to the file that defines it (a name a `mod.rs` re-exports with
`pub use` resolves to the file it comes from) and prints the strongly connected components of
both graphs. A parent module file declaring and re-exporting its children is structure, not a
dependency: edges from a module file to its own descendants are left out, so a file-level cycle
is one between files that do not contain one another.

Usage: scripts/import-cycles.py [SRC_DIR]   (exit 1 when a file-level cycle exists)
"""

import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "src")
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_tests(text: str) -> str:
    """Drops inline `#[cfg(test)] mod x { ... }` blocks and comments."""
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub(\([a-z]+\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand(tree: str) -> list:
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r"\s+", "", tree)
    if "{" not in tree:
        return [tree]
    head, rest = tree.split("{", 1)
    body = rest[: rest.rfind("}")]
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        cur += ch
    items.append(cur)
    return [p for item in items if item for p in expand(head + item)]


files = {}
test_only = set()
for path in sorted(SRC.rglob("*.rs")):
    text = path.read_text()
    files[module_of(path)] = (path, strip_tests(text))
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub(\([a-z]+\))?\s+)?mod\s+(\w+)\s*;", text):
        test_only.add(module_of(path) + (m.group(3),))
files = {m: v for m, v in files.items() if not any(m[: len(t)] == t for t in test_only)}

# Re-exports: (module, name) -> module path the name comes from.
reexports = {}


def absolute(mod: tuple, path: list) -> list:
    path = list(path)
    base = list(mod)
    if path[0] == "crate":
        return path[1:]
    if path[0] in ("self",):
        return base + path[1:]
    while path and path[0] == "super":
        base = base[:-1]
        path = path[1:]
    return base + path


for mod, (_, text) in files.items():
    for m in re.finditer(r"pub(\(crate\))?\s+use\s+([^;]+);", text):
        for p in expand(m.group(2)):
            segs = [s for s in p.split("::") if s]
            if not segs:
                continue
            if segs[0] not in ("crate", "super", "self"):
                segs = ["self"] + segs
            target = absolute(mod, segs)
            name = target[-1].split(" as ")[-1] if target else ""
            reexports[(mod, name)] = tuple(target)


def resolve(target: list, seen=0) -> tuple:
    """The longest prefix of `target` that is a file's module, following re-exports."""
    for n in range(len(target), -1, -1):
        prefix = tuple(target[:n])
        if prefix in files:
            if n < len(target) and (prefix, target[n]) in reexports and seen < 5:
                return resolve(list(reexports[(prefix, target[n])]), seen + 1)
            return prefix
    return ()


edges = {m: set() for m in files}
for mod, (_, text) in files.items():
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        paths += expand(m.group(1))
    paths += re.findall(rf"\b(?:crate|super|self)(?:::{IDENT})+", text)
    for p in paths:
        segs = [s.split(" as ")[0] for s in p.split("::") if s]
        if not segs or segs[0] not in ("crate", "super", "self"):
            continue
        target = resolve(absolute(mod, segs))
        if target != mod and target[: len(mod)] != mod:  # not itself, not a descendant
            edges[mod].add(target)


def sccs(graph: dict) -> list:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def name(mod: tuple) -> str:
    return files[mod][0].relative_to(SRC).as_posix() if mod in files else "lib.rs"


top = {}
for a, targets in edges.items():
    for b in targets:
        if a[:1] and b[:1] and a[:1] != b[:1]:
            top.setdefault(a[:1], set()).add(b[:1])

print("Cycles between top-level modules:")
top_cycles = sccs(top)
for comp in top_cycles:
    print("  " + " <-> ".join(m[0] for m in comp))
    for m in comp:
        inner = sorted(t[0] for t in top.get(m, ()) if t in comp)
        print(f"      {m[0]} -> {', '.join(inner)}")
if not top_cycles:
    print("  none")

print("Cycles between files:")
file_cycles = sccs(edges)
for comp in file_cycles:
    members = set(comp)
    print("  " + " <-> ".join(name(m) for m in comp))
    for m in comp:
        inner = sorted(name(t) for t in edges[m] if t in members)
        print(f"      {name(m)} -> {', '.join(inner)}")
if not file_cycles:
    print("  none")
sys.exit(1 if file_cycles else 0)
