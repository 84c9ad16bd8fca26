#!/usr/bin/env python3
"""Lists every public path to every item of a crate from rustdoc's JSON output and fails when
an item (struct, enum, trait, function, ...) is reachable by more than one path.

Usage: public_paths.py target/doc/cspark.json [--list]

The JSON comes from `RUSTC_BOOTSTRAP=1 cargo rustdoc -p cspark --lib -- -Z unstable-options
--output-format json`. Items marked #[doc(hidden)] are skipped: they are not public API.
"""
import json
import sys
from collections import defaultdict

ITEM_KINDS = {"struct", "enum", "trait", "function", "type_alias", "constant", "static",
              "macro", "union", "trait_alias"}


def main() -> int:
    path = sys.argv[1]
    listing = "--list" in sys.argv[2:]
    doc = json.load(open(path))
    index = doc["index"]
    crate = doc["root"]
    paths = defaultdict(set)
    seen_modules = set()

    def hidden(item):
        attrs = item.get("attrs") or []
        return any("hidden" in str(a) for a in attrs if "doc" in str(a))

    def walk(module_id, prefix):
        key = (module_id, prefix)
        if key in seen_modules:
            return
        seen_modules.add(key)
        module = index[str(module_id)]
        for child_id in module["inner"]["module"]["items"]:
            child = index.get(str(child_id))
            if child is None or child.get("visibility") != "public" or hidden(child):
                continue
            inner = child["inner"]
            kind = next(iter(inner))
            if kind == "module":
                walk(child_id, prefix + (child["name"],))
            elif kind == "use":
                use = inner["use"]
                target = index.get(str(use["id"])) if use["id"] is not None else None
                if target is None or target.get("crate_id") != 0 or hidden(target):
                    continue  # re-export of another crate's item, or hidden
                tkind = next(iter(target["inner"]))
                if use["is_glob"]:
                    if tkind == "module":
                        walk(use["id"], prefix)
                    continue
                if tkind == "module":
                    walk(use["id"], prefix + (use["name"],))
                elif tkind in ITEM_KINDS:
                    paths[use["id"]].add("::".join(prefix + (use["name"],)))
            elif kind in ITEM_KINDS:
                paths[child_id].add("::".join(prefix + (child["name"],)))

    walk(crate, (index[str(crate)]["name"],))
    if listing:
        for item_id, found in sorted(paths.items(), key=lambda kv: sorted(kv[1])[0]):
            print("  ".join(sorted(found)))
    duplicates = {k: v for k, v in paths.items() if len(v) > 1}
    for found in sorted(sorted(v) for v in duplicates.values()):
        print("more than one public path: " + ", ".join(found), file=sys.stderr)
    print(f"{len(paths)} public items, {len(duplicates)} with more than one path", file=sys.stderr)
    return 1 if duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
