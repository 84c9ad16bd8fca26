#!/usr/bin/env python3
"""Fails when two modules of a crate import each other, directly or through a ring.

Usage: module_cycles.py CRATE_SRC_DIR [...]

A module is a source file (`a/mod.rs` and `a.rs` are module `a`). An edge goes from a module
to every module its `crate::`, `super::` and `self::` paths name (the longest module prefix of
the path). Edges between a module and its own ancestors or descendants are ignored: a parent
declares and re-exports its children, and a child may use its parent's items; what the rule
is about is two unrelated modules that need each other. The strongly connected components of
the remaining graph with more than one module are reported, each with one edge per member
that closes the ring (file and line), and the exit status is 1.
"""

from __future__ import annotations

import pathlib
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_RE = re.compile(rf"\b(crate|super|self)((?:::{IDENT})+)")
USE_RE = re.compile(r"\buse\s+([^;]*);", re.S)


def module_of(src: pathlib.Path, file: pathlib.Path) -> tuple[str, ...]:
    rel = file.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod" or (len(parts) == 1 and parts[0] in ("lib", "main")):
        parts = parts[:-1]
    return tuple(parts)


def expand_use(tree: str) -> list[str]:
    """Flattens a use tree (`a::{b, c::{d, e}}`) into full paths."""
    tree = re.sub(r"\s+", "", tree)
    out: list[str] = []

    def walk(prefix: str, text: str) -> None:
        depth, start, items = 0, 0, []
        for i, ch in enumerate(text):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(text[start:i])
                start = i + 1
        items.append(text[start:])
        for item in filter(None, items):
            brace = item.find("{")
            if brace >= 0 and item.endswith("}"):
                walk(prefix + item[:brace], item[brace + 1 : -1])
            else:
                out.append(prefix + item.split("as")[0] if "::as" not in item else prefix + item)

    walk("", tree)
    return out


def strip_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def check(src: pathlib.Path) -> list[str]:
    files = sorted(p for p in src.rglob("*.rs"))
    modules = {module_of(src, f): f for f in files}
    edges: dict[tuple, dict[tuple, tuple[pathlib.Path, int]]] = {m: {} for m in modules}

    def resolve(current: tuple, root: str, rest: list[str]) -> tuple | None:
        if root == "crate":
            base: tuple = ()
        elif root == "self":
            base = current
        else:
            base = current
            while rest and rest[0] == "super":
                rest = rest[1:]
                base = base[:-1]
            base = base[:-1] if root == "super" else base
        best = None
        path = list(base)
        if tuple(path) in modules:
            best = tuple(path)
        for part in rest:
            path.append(part)
            if tuple(path) in modules:
                best = tuple(path)
        return best

    for module, file in modules.items():
        raw = file.read_text(encoding="utf-8")
        text = strip_comments(raw)
        found: list[tuple[str, int]] = []
        for m in USE_RE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for full in expand_use(m.group(1)):
                found.append((full, line))
        for m in PATH_RE.finditer(text):
            found.append((m.group(0), text.count("\n", 0, m.start()) + 1))
        for full, line in found:
            parts = [p for p in full.split("::") if p]
            if not parts or parts[0] not in ("crate", "super", "self"):
                continue
            target = resolve(module, parts[0], parts[1:])
            if target is None or target == module:
                continue
            if target[: len(module)] == module or module[: len(target)] == target:
                continue
            edges[module].setdefault(target, (file, line))

    # Tarjan's strongly connected components.
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    components: list[list] = []
    counter = [0]

    def connect(v) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(modules):
        if v not in index:
            connect(v)

    problems = []
    for component in components:
        members = set(component)
        names = ", ".join("::".join(c) or "crate" for c in component)
        lines = [f"{src}: modules that import each other: {names}"]
        for v in component:
            for w, (file, line) in sorted(edges[v].items()):
                if w in members:
                    lines.append(f"    {'::'.join(v)} -> {'::'.join(w)}  ({file}:{line})")
        problems.append("\n".join(lines))
    return problems


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = []
    for arg in sys.argv[1:]:
        problems += check(pathlib.Path(arg))
    for p in problems:
        print(p)
    if not problems:
        print("no module cycles in", " ".join(sys.argv[1:]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
