"""Results, medians and the Markdown tables of bench/run.py (stdlib only).

A result is kept per (figure, row, pairing): the list of values of the runs,
or the reason it failed. Tables have one row per measured quantity and one
column per pairing; a cell is "median [min-max] ratio", the ratio being to
ssh/sshd in the same run.
"""

import datetime
import os
import platform
import re
import statistics
import subprocess

BASELINE = "ssh/sshd"


class Results:
    def __init__(self):
        # figure -> {"title", "unit", "better", "note", "rows": {row: {col: cell}}}
        self.figs = {}
        self.order = []
        self.notes = []

    def figure(self, key, title, better, note=""):
        if key not in self.figs:
            self.figs[key] = {"title": title, "better": better, "note": note,
                              "rows": {}, "cols": []}
            self.order.append(key)
        return self.figs[key]

    def _cell(self, key, row, col):
        f = self.figs[key]
        if col not in f["cols"]:
            f["cols"].append(col)
        return f["rows"].setdefault(row, {}).setdefault(col, {"vals": [], "err": None})

    def add(self, key, row, col, value):
        self._cell(key, row, col)["vals"].append(value)

    def fail(self, key, row, col, reason):
        c = self._cell(key, row, col)
        if c["err"] is None:
            c["err"] = one_line(reason)

    def median(self, key, row, col):
        c = self.figs.get(key, {}).get("rows", {}).get(row, {}).get(col)
        if not c or not c["vals"] or c["err"]:
            return None
        return statistics.median(c["vals"])

    def as_json(self):
        return {"figures": self.figs, "order": self.order, "notes": self.notes}


def one_line(s, n=160):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n - 3] + "..."


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if v == int(v) and a < 1e6:
        return "%d" % v
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def cell_text(res, key, row, col):
    c = res.figs[key]["rows"][row].get(col)
    if c is None:
        return ""
    if c["err"]:
        return "failed: " + c["err"].replace("|", "/")
    vals = c["vals"]
    med = statistics.median(vals)
    text = fmt(med)
    if len(vals) > 1:
        text += " [%s-%s]" % (fmt(min(vals)), fmt(max(vals)))
    base = res.median(key, row, BASELINE)
    if col != BASELINE and base:
        text += " **%.2fx**" % (med / base)
    return text


def table(res, key):
    f = res.figs[key]
    cols = [c for c in PAIRING_ORDER if c in f["cols"]] + \
        [c for c in f["cols"] if c not in PAIRING_ORDER]
    out = ["### %s" % f["title"], ""]
    if f["note"]:
        out += [f["note"], ""]
    out.append("| | " + " | ".join(cols) + " |")
    out.append("|---" * (len(cols) + 1) + "|")
    for row in f["rows"]:
        out.append("| %s | " % row + " | ".join(cell_text(res, key, row, c) for c in cols) + " |")
    out.append("")
    return out


PAIRING_ORDER = ["burrow/burrowd", "burrow/sshd", "ssh/burrowd", "ssh/sshd"]


def machine():
    """Lines describing the machine the numbers come from."""
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1) if m else "?"
    except OSError:
        pass
    try:
        ssh = subprocess.run(["ssh", "-V"], capture_output=True, text=True,
                             timeout=10).stderr.strip()
    except (OSError, subprocess.SubprocessError):
        ssh = "?"
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return [
        "- date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "- cpus: %d x %s, memory %.0f GiB" % (os.cpu_count() or 0, cpu, mem),
        "- kernel: %s %s" % (platform.system(), platform.release()),
        "- OpenSSH: %s" % ssh,
    ]


def render(res, settings):
    out = ["## Results of the last `make bench`", ""]
    out += machine()
    out += ["- settings: %s" % settings, ""]
    out += ["Cells: median [min-max] of the runs, then **the ratio to ssh/sshd** "
            "in the same run. \"direct\" is the same test without a tunnel "
            "(the machine's limit).", ""]
    for n in res.notes:
        out.append("- note: %s" % n)
    if res.notes:
        out.append("")
    for key in res.order:
        out += table(res, key)
    return "\n".join(out) + "\n"


BEGIN = "<!-- bench:begin (written by `make bench`; edit outside these markers) -->"
END = "<!-- bench:end -->"


def write_doc(path, text, skeleton):
    """Replace the generated block of path (or create it from skeleton),
    keeping every line outside the markers."""
    try:
        with open(path) as f:
            doc = f.read()
    except FileNotFoundError:
        doc = skeleton
    block = BEGIN + "\n" + text + END
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        doc = head + block + tail
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, path)
