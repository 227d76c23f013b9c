#!/usr/bin/env python3
"""Compares two JUnit XML files of Rucio's client-mode tests: the real server's run (the bar) and Ferry's."""
import collections
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    result = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            result[test_id] = "failed"
        elif case.find("skipped") is not None:
            result[test_id] = "skipped"
        else:
            result[test_id] = "passed"
    return result


real, ferry = outcomes(sys.argv[1]), outcomes(sys.argv[2])
bar = sorted(t for t, o in real.items() if o == "passed")
per_module = collections.defaultdict(lambda: [0, 0])
missing = []
for t in bar:
    module = t.split("::")[0].split(".")[1] if t.startswith("tests.") else t.split("::")[0]
    per_module[module][0] += 1
    if ferry.get(t) == "passed":
        per_module[module][1] += 1
    else:
        missing.append((t, ferry.get(t, "not run")))
print(f"{'module':32} {'real passes':>11} {'ferry passes':>12}")
for module, (n, ok) in sorted(per_module.items()):
    print(f"{module:32} {n:>11} {ok:>12}")
total, ok = len(bar), sum(v[1] for v in per_module.values())
print(f"{'total':32} {total:>11} {ok:>12}  ({100.0 * ok / max(total, 1):.1f}%)")
print()
for t, o in missing:
    print(f"{o:8} {t}")
