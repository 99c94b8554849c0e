"""frameworks.sh's helper.

  table.py parse LANG NAME ROUND MODE ALIVE RC [CPU_US] < wrk-output -> one results line
  table.py RESULTS LABELS                                             -> the table
                                                                        and the goals
                                                                        (exit 3 when one is
                                                                        not met and ASSERT=1)

A results line: lang, name, round, mode (c50, c1, warmup, start), requests/s,
p50 ms, p99 ms, errors (socket errors + non-2xx), died (1 when the server was
not running after the run, or did not start), wrk's exit status, and the
server's CPU microseconds per request over the run (nan when unknown).
"""
import math
import os
import re
import statistics
import sys

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)] if m else math.nan


def parse(argv, out):
    lang, name, rnd, mode, alive, rc = argv[:6]
    cpu_us = argv[6] if len(argv) > 6 else ""
    reqs = re.search(r"(\d+) requests in", out)
    per_req = int(cpu_us) / int(reqs.group(1)) if cpu_us.isdigit() and reqs and int(reqs.group(1)) > 0 else math.nan
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errs = sum(int(x) for x in re.findall(r"\b(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs += int(non2xx.group(1)) if non2xx else 0
    print("\t".join([lang, name, rnd, mode, rps.group(1) if rps else "0",
                     str(ms(p50.group(1))) if p50 else "nan", str(ms(p99.group(1))) if p99 else "nan",
                     str(errs), "0" if alive == "1" else "1", rc, str(per_req)]))


def median(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return statistics.median(xs) if xs else math.nan


def div(a, b):
    return a / b if b and not math.isnan(b) else math.nan


def spread(rs):
    """max/min of the -c50 requests/s over the rounds: how noisy the machine was."""
    xs = [r[1] for r in rs if r[0] == "c50"]
    return f"{max(xs) / min(xs):.2f}x" if xs and min(xs) > 0 else "-"


def rat(a, b):
    r = div(a, b)
    return f"{'-':>8}" if math.isnan(r) else f"{r:7.2f}x"


def fmt(x, spec):
    if not math.isnan(x):
        return format(x, spec)
    return "-".rjust(int(re.match(r"\d*", spec).group() or 0))


def table(results, labels):
    label = dict(line.rstrip("\n").split("\t", 1) for line in open(labels) if "\t" in line)
    runs, order = {}, []
    for line in open(results):
        f = line.rstrip("\n").split("\t")
        lang, name, rnd, mode, rps, p50, p99, errs, died = f[:9]
        cpu = float(f[10]) if len(f) > 10 else math.nan
        if (lang, name) not in runs:
            runs[(lang, name)] = []
            order.append((lang, name))
        runs[(lang, name)].append((mode, float(rps), float(p50), float(p99), int(errs), int(died), rnd, cpu))

    def med(lang, name, mode, i):
        return median([r[i] for r in runs.get((lang, name), []) if r[0] == mode])

    head = (f"{'':<48}{'-c50 rps':>10}{'x bare':>8}{'x Kiln':>8}{'p99 ms':>8}{'CPU us':>8}"
            f"{'-c1 rps':>10}{'x bare':>8}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}{'deaths':>8}{'spread':>8}")
    for lang in dict.fromkeys(lang for lang, _ in order):
        print(f"\n{label.get(lang, lang)}")
        print(head)
        bare50, bare1 = med(lang, lang + "-bare", "c50", 1), med(lang, lang + "-bare", "c1", 1)
        kiln50 = med(lang, lang + "-kiln", "c50", 1)
        for lg, name in order:
            if lg != lang:
                continue
            rs = runs[(lg, name)]
            r50, r1 = med(lang, name, "c50", 1), med(lang, name, "c1", 1)
            errs = sum(r[4] for r in rs)
            deaths = sum(r[5] for r in rs)
            note = " (did not start)" if any(r[0] == "start" for r in rs) else ""
            print(f"{(label.get(name, name) + note)[:47]:<48}{fmt(r50, '10.0f')}{rat(r50, bare50)}{rat(r50, kiln50)}"
                  f"{fmt(med(lang, name, 'c50', 3), '8.2f')}{fmt(med(lang, name, 'c50', 7), '8.1f')}{fmt(r1, '10.0f')}{rat(r1, bare1)}"
                  f"{fmt(med(lang, name, 'c1', 2), '8.3f')}{fmt(med(lang, name, 'c1', 3), '8.3f')}{errs:>8}{deaths:>8}{spread(rs):>8}")
    compat_cost(runs, order, label)
    failed = goals(runs, order, label)
    print("\nmedians of the rounds; x bare / x Kiln: requests/s against the bare server / Kiln native of the"
          " same run;\nCPU us: the server's user+system CPU microseconds per request at -c50 (clock-tick resolution);\nerrors: wrk's socket errors and non-2xx answers over all rounds; deaths: the server was"
          " gone after a run (it is restarted);\nspread: the largest over the smallest -c50 requests/s of the rounds (machine noise)")
    return failed


def ratios(runs, lang, a, b, mode, i):
    """per-round ratios of server a against server b (measured back to back in
    the same round, so slow drifts of the machine cancel out)."""
    other = {r[6]: r[i] for r in runs.get((lang, b), []) if r[0] == mode}
    xs = [div(r[i], other.get(r[6], math.nan)) for r in runs.get((lang, a), []) if r[0] == mode]
    return [x for x in xs if not math.isnan(x)]


def summary(xs):
    if not xs:
        return "-"
    return f"{statistics.median(xs):.3f}x ({min(xs):.2f}-{max(xs):.2f}, {len(xs)} rounds)"


def paired(runs, lang, name, mode, i):
    """per-round ratios of name against Kiln native: the median and the range.
    For requests/s (i=1) above 1 is faster; for latency (i=2) and CPU per
    request (i=7) below 1."""
    return summary(ratios(runs, lang, name, lang + "-kiln", mode, i))


def compat_cost(runs, order, label):
    """issue 12: the compatibility layers may cost at most 5 % against Kiln native."""
    rows = [(lang, name) for lang, name in order if name.endswith("-compat") and (lang, lang + "-kiln") in runs]
    if not rows:
        return
    print("\ncompatibility layer vs Kiln native, per-round ratios (goal: at most 5 % more CPU per request,"
          " -c50 requests/s >= 0.95x):")
    for lang, name in rows:
        print(f"  {label.get(lang, lang)}, {label.get(name, name)}:\n    CPU per request (-c50) {paired(runs, lang, name, 'c50', 7)};"
              f" -c50 requests/s {paired(runs, lang, name, 'c50', 1)};\n    -c1 requests/s {paired(runs, lang, name, 'c1', 1)}, p50 {paired(runs, lang, name, 'c1', 2)}")


# issue 12 §2: Kiln's framework at least as fast as each peer (paired
# per-round medians of requests/s, -c50 and -c1), and each compatibility layer
# at most 5 % dearer than Kiln native (CPU per request; -c50 requests/s).
PEERS = {"go": ["google", "openfunction"], "node": ["google"]}


def goals(runs, order, label):
    """prints each goal with the measurement it rests on; returns the goals
    that do not hold (an empty list when they all do, or none was measured)."""
    failed, lines = [], []

    def check(ok, what):
        lines.append(f"  {'holds' if ok else 'NOT MET'}: {what}")
        if not ok:
            failed.append(what)

    langs = list(dict.fromkeys(lang for lang, _ in order))
    for lang in langs:
        kiln = lang + "-kiln"
        if (lang, kiln) not in runs:
            continue
        bare = lang + "-bare"
        if (lang, bare) in runs:
            lines.append(f"  {label.get(lang, lang)}: Kiln / {label.get(bare, bare)}: -c50 requests/s "
                         f"{summary(ratios(runs, lang, kiln, bare, 'c50', 1))}, -c1 {summary(ratios(runs, lang, kiln, bare, 'c1', 1))},"
                         f" CPU per request {summary(ratios(runs, lang, kiln, bare, 'c50', 7))}")
        for peer in PEERS.get(lang, []):
            name = f"{lang}-{peer}"
            if (lang, name) not in runs:
                continue
            for mode in ("c50", "c1"):
                xs = ratios(runs, lang, kiln, name, mode, 1)
                if xs:
                    check(statistics.median(xs) >= 1.0,
                          f"{label.get(lang, lang)}: Kiln >= 1.0x {label.get(name, name)}, -{mode} requests/s: {summary(xs)}")
            xs = ratios(runs, lang, kiln, name, "c50", 7)
            if xs:
                lines.append(f"    (CPU per request, Kiln / {label.get(name, name)}: {summary(xs)})")
        for lg, name in order:
            if lg != lang or not name.endswith("-compat"):
                continue
            xs = ratios(runs, lang, name, kiln, "c50", 7)
            if xs:
                check(statistics.median(xs) <= 1.05,
                      f"{label.get(lang, lang)}: {label.get(name, name)} CPU per request <= 1.05x Kiln native: {summary(xs)}")
            xs = ratios(runs, lang, name, kiln, "c50", 1)
            if xs:
                check(statistics.median(xs) >= 0.95,
                      f"{label.get(lang, lang)}: {label.get(name, name)} -c50 requests/s >= 0.95x Kiln native: {summary(xs)}")
    if lines:
        print("\ngoals (issue 12 §2), medians of the per-round ratios (range, rounds):")
        print("\n".join(lines))
    return failed


def main():
    if sys.argv[1:2] == ["parse"]:
        parse(sys.argv[2:], sys.stdin.read())
    else:
        failed = table(sys.argv[1], sys.argv[2])
        if failed and os.environ.get("ASSERT") == "1":
            print(f"\nASSERT=1: {len(failed)} goal(s) not met", file=sys.stderr)
            sys.exit(3)


if __name__ == "__main__":
    main()
