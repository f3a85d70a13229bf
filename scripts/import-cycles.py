#!/usr/bin/env python3
"""Lists the import cycles left in src/: between top-level modules and between files.

Every `crate::a::b` path (in `use` lines and inline), every `super::x` path of a file and every
`use child::Item` re-export of a module root is resolved to the file that defines the longest
matching module; test-only code (`#[cfg(test)]`
modules, inline or in their own file) is left out. Prints the strongly connected components
of the top-level module graph, then those of the file graph that span more than one top-level
module, each with the edges that close it (`a -> b (file:line)`).

Usage: scripts/import-cycles.py [SRC_DIR]   (default: src). Exit 0 always: a report.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "src")
PATH_RE = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP_RE = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*?)\}\s*;", re.S)
TEST_MOD_FILE_RE = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;")


def module_of(path: Path) -> tuple:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_tests(text: str) -> str:
    """Drops inline `#[cfg(test)] mod x { ... }` blocks (brace matched)."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def files():
    found = {module_of(p): p for p in SRC.rglob("*.rs")}
    test_only = set()
    for mod, p in found.items():
        base = mod if p.stem in ("mod", "lib", "main") else mod[:-1]
        for name in TEST_MOD_FILE_RE.findall(p.read_text()):
            test_only.add(base + (name,))
    keep = {m: p for m, p in found.items() if not any(m[: len(t)] == t for t in test_only)}
    return keep


def resolve(start: tuple, segs: list, modules: dict):
    full = start + tuple(segs)
    for n in range(len(full), 0, -1):
        if full[:n] in modules:
            return full[:n]
    return None


def base_for(kind: str, mod: tuple, path: Path, segs: list):
    if kind == "crate":
        return (), segs
    parent = mod if path.stem in ("mod", "lib", "main") else mod
    # `super` from a file module is its parent module
    parent = parent[:-1]
    while segs and segs[0] == "super":
        parent, segs = parent[:-1], segs[1:]
    return parent, segs


def edges(modules: dict):
    out = defaultdict(dict)
    for mod, path in modules.items():
        text = strip_tests(path.read_text())
        for lineno, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("//"):
                continue
            for m in PATH_RE.finditer(line):
                segs = [s for s in m.group(2).split("::") if s]
                start, segs = base_for(m.group(1), mod, path, segs)
                target = resolve(start, segs, modules)
                if target and target != mod and not mod[: len(target)] == target:
                    out[mod].setdefault(target, f"{path}:{lineno}")
        if path.stem in ("mod", "lib", "main"):
            # `pub use child::Item;` in a module root re-exports a child: a dependency on it.
            for m in re.finditer(r"\buse\s+(\w+)::", text):
                child = mod + (m.group(1),)
                if child in modules:
                    lineno = text[: m.start()].count("\n") + 1
                    out[mod].setdefault(child, f"{path}:{lineno}")
        for m in GROUP_RE.finditer(text):
            lineno = text[: m.start()].count("\n") + 1
            prefix = [s for s in m.group(2).split("::") if s]
            for item in re.split(r",", m.group(3)):
                head = item.strip().split("::")[0].split(" ")[0].strip("{} ")
                if not head or head == "self":
                    continue
                start, segs = base_for(m.group(1), mod, path, prefix + [head])
                target = resolve(start, segs, modules)
                if target and target != mod and not mod[: len(target)] == target:
                    out[mod].setdefault(target, f"{path}:{lineno}")
    return out


def sccs(nodes, graph):
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
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
                result.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return result


def name(mod: tuple) -> str:
    return "::".join(mod) or "crate"


def main():
    modules = files()
    graph = edges(modules)
    top = defaultdict(dict)
    for a, targets in graph.items():
        for b, where in targets.items():
            if a[:1] != b[:1]:
                top[a[:1]].setdefault(b[:1], f"{name(a)} -> {name(b)} ({where})")
    print("Cycles between top-level modules:")
    comps = sccs({m[:1] for m in modules}, top)
    for comp in comps:
        print("  {" + ", ".join(name(m) for m in comp) + "}")
        for a in comp:
            for b, why in sorted(top[a].items()):
                if b in comp:
                    print(f"      {why}")
    if not comps:
        print("  none")
    print("Cycles between files of different top-level modules:")
    found = False
    for comp in sccs(set(modules), graph):
        if len({m[:1] for m in comp}) < 2:
            continue
        found = True
        print("  {" + ", ".join(name(m) for m in comp) + "}")
        for a in comp:
            for b, where in sorted(graph[a].items()):
                if b in comp:
                    print(f"      {name(a)} -> {name(b)} ({where})")
    if not found:
        print("  none")
    print("Cycles between files of the same top-level module:")
    found = False
    for comp in sccs(set(modules), graph):
        if len({m[:1] for m in comp}) != 1:
            continue
        found = True
        print("  {" + ", ".join(name(m) for m in comp) + "}")
    if not found:
        print("  none")


main()
