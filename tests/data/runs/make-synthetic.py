#!/usr/bin/env python3
"""make-synthetic.py: writes the hand-made results folders synthetic-a,
synthetic-b and interrupted used by tests/test_plot.c and tests/test_report.c.

The figures are modeled on the cafeboo scenario (3 variants x 4 commits x 2
repetitions). Known differences from a to b, which the tests check:
  no-cache        b is 30% faster (every build)          -> better
  local-cache     b's warm builds take 2x as long        -> worse
  registry-cache  unchanged (same figures, other jitter) -> no significant change
synthetic-a has one failed build (registry-cache, repetition 2, commit 4) and
one outlier (no-cache, repetition 2, commit 3). Deterministic: run it again
and the files come out the same.
"""
import json, os, random, hashlib

HERE = os.path.dirname(os.path.abspath(__file__))
CSV_COLS = ["variant", "repetition", "index", "commit", "subject", "phase", "status",
            "exit_code", "wall_seconds", "steps_total", "steps_cached", "cache_bytes",
            "image_bytes", "cache_restore_seconds", "cache_save_seconds", "push_seconds",
            "served_bytes", "reason"]

COMMITS = [
    ("Add embedding service with FastAPI app", ["Dockerfile", "requirements.txt", "app/main.py", "app/embed.py"]),
    ("Tune batch size for the embedder", ["app/embed.py"]),
    ("Log request latency in middleware", ["app/main.py", "app/middleware.py"]),
    ("Fix health check route", ["app/main.py", "tests/test_health.py"]),
]
BASE = "docker.io/library/python:3.12.7-slim"
PIP = "RUN pip install --no-cache-dir -r requirements.txt"
CURL = "RUN curl -L -o embedding_model.tar.gz \"$MODEL_BASE_URL/embedding_model.tar.gz\" && tar xzf embedding_model.tar.gz"

VARIANTS = [
    {"name": "no-cache", "dockerfile": "dockerfiles/naive.Dockerfile", "cache": "none",
     "cache_mode": "max", "runner": "ephemeral", "push": False, "target": None},
    {"name": "local-cache", "dockerfile": "dockerfiles/multistage.Dockerfile", "cache": "local",
     "cache_mode": "max", "runner": "ephemeral", "push": False, "target": None},
    {"name": "registry-cache", "dockerfile": "dockerfiles/multistage.Dockerfile", "cache": "registry",
     "cache_mode": "max", "runner": "ephemeral", "push": True, "target": None},
]


def commit_id(i):
    return hashlib.sha1(("cafeboo-commit-%d" % i).encode()).hexdigest()


def j(rng, x, spread=0.03):
    return round(x * (1 + rng.uniform(-spread, spread)), 3)


def naive_steps(rng, f):
    return [
        ("[internal] load build definition from Dockerfile", 0.04, False),
        ("[internal] load metadata for " + BASE, 0.8, False),
        ("[internal] load .dockerignore", 0.02, False),
        ("[1/6] FROM " + BASE + "@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8", 3.1 * f, False),
        ("[internal] load build context", 0.3, False),
        ("[2/6] RUN apt-get update && apt-get install -y --no-install-recommends curl", 9.2 * f, False),
        ("[3/6] WORKDIR /app", 0.05, False),
        ("[4/6] COPY . .", 0.4, False),
        ("[5/6] " + PIP, 96.0 * f, False),
        ("[6/6] " + CURL, 41.0 * f, False),
        ("exporting to image", 14.0 * f, False),
    ]


def multistage_steps(rng, cold, cache):
    c = not cold
    steps = [
        ("[internal] load build definition from Dockerfile", 0.04, False),
        ("[internal] load metadata for " + BASE, 0.7, False),
        ("[internal] load .dockerignore", 0.02, False),
    ]
    if c:
        src = "local:5312768823051930161" if cache == "local" else "127.0.0.1:5000/cafeboo:buildcache"
        steps.append(("importing cache manifest from " + src, 0.9 if cache == "local" else 1.6, False))
    steps += [
        ("[base 1/3] FROM " + BASE + "@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8", 0 if c else 3.0, c),
        ("[internal] load build context", 0.3, False),
        ("[base 2/3] RUN apt-get update && apt-get install -y --no-install-recommends curl", 0 if c else 9.0, c),
        ("[base 3/3] WORKDIR /app", 0 if c else 0.05, c),
        ("[deps 1/2] COPY requirements.txt .", 0 if c else 0.05, c),
        ("[deps 2/2] " + PIP, 0 if c else 95.0, c),
        ("[models 1/2] WORKDIR /models", 0 if c else 0.05, c),
        ("[models 2/2] " + CURL, 0 if c else 42.0, c),
        ("[final 1/3] COPY --from=deps /usr/local /usr/local", 0 if c else 6.0, c),
        ("[final 2/3] COPY --from=models /models /app/models", 0 if c else 2.8, c),
        ("[final 3/3] COPY . .", 0.4, False),
        ("exporting to image", 2.6 if c else 10.5, False),
    ]
    if cache == "local":
        steps += [("preparing build cache for export", 1.1 if c else 3.5, False),
                  ("exporting cache to client directory", 1.4 if c else 7.5, False)]
    else:
        steps += [("preparing build cache for export", 1.2 if c else 3.6, False),
                  ("exporting cache to registry", 2.1 if c else 11.0, False)]
    return steps


def make_build(rng, run, v, rep, idx, slow_local_warm=1.0, factor=1.0):
    cold = idx == 1
    subject, changed = COMMITS[idx - 1]
    name = v["name"]
    b = {"variant": name, "repetition": rep, "commit": commit_id(idx), "short": commit_id(idx)[:7],
         "subject": subject, "index": idx, "changed": changed, "phase": "cold" if cold else "warm"}
    restore = save = push = 0.0
    if name == "no-cache":
        raw = naive_steps(rng, factor)
        build_s = sum(s for _, s, _ in raw) + 1.5
        total, cached = 5, 0
    else:
        raw = multistage_steps(rng, cold, "local" if name == "local-cache" else "registry")
        par = sum(s for _, s, _ in raw)
        if cold:
            par -= 42.0  # models download runs beside pip: wall < sum of steps
        build_s = par + 1.2
        total, cached = 9, 0 if cold else 8
        if name == "local-cache":
            restore = 0.0 if cold else 6.8
            save = 9.6 if cold else 2.7
        else:
            push = 15.5 if cold else 3.1
    f = slow_local_warm if (name == "local-cache" and not cold) else 1.0
    steps = [{"name": n, "seconds": j(rng, s * f, 0.05) if s else 0.0, "cached": c} for n, s, c in raw]
    build_s, restore, save, push = j(rng, build_s * f), j(rng, restore * f), j(rng, save * f), j(rng, push)
    b.update({
        "status": "ok", "exit_code": 0,
        "wall_seconds": round(restore + build_s + push + save, 3),
        "steps_total": total, "steps_cached": cached, "steps": steps,
        "cache_bytes": (0 if name != "local-cache" else 412383232 + idx * 1536),
        "image_bytes": 1187553280 + idx * 2048 if name == "no-cache" else 1093664768 + idx * 2048,
        "build_seconds": build_s,
        "log": "logs/%s-r%d-%02d-%s.log" % (name, rep, idx, b["short"]),
        "served_bytes": (44040192 if (cold or name == "no-cache") else 0),
        "served_requests": (58 if (cold or name == "no-cache") else 0),
    })
    if name == "local-cache":
        b["cache_restore_seconds"] = restore
        b["cache_save_seconds"] = save
    if name == "registry-cache":
        b["push_seconds"] = push
    return b


def quantile(s, p):
    pos = p * (len(s) - 1)
    lo = int(pos)
    if lo + 1 >= len(s):
        return s[-1]
    return s[lo] + (pos - lo) * (s[lo + 1] - s[lo])


def stats(v):
    if not v:
        return {"n": 0, "median": 0, "mean": 0, "stddev": 0, "min": 0, "max": 0, "outliers": 0}
    s = sorted(v)
    n = len(s)
    mean = sum(s) / n
    sd = (sum((x - mean) ** 2 for x in s) / (n - 1)) ** 0.5 if n > 1 else 0.0
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    q1, q3 = quantile(s, 0.25), quantile(s, 0.75)
    iqr = q3 - q1
    out = sum(1 for x in s if x < q1 - 1.5 * iqr or x > q3 + 1.5 * iqr) if n >= 4 else 0
    return {"n": n, "median": med, "mean": mean, "stddev": sd, "min": s[0], "max": s[-1], "outliers": out}


def summary(builds):
    out = []
    for name in dict.fromkeys(b["variant"] for b in builds):
        mine = [b for b in builds if b["variant"] == name]
        ok = [b for b in mine if b["status"] == "ok"]
        cold = [b["wall_seconds"] for b in ok if b["phase"] == "cold"]
        warm = [b["wall_seconds"] for b in ok if b["phase"] == "warm"]
        sc, sw = stats(cold), stats(warm)
        tot = sum(b["steps_total"] for b in ok if b["phase"] == "warm")
        cac = sum(b["steps_cached"] for b in ok if b["phase"] == "warm")
        out.append({"variant": name, "builds": len(mine), "ok": len(ok),
                    "cold_seconds": sc["median"] if cold else None,
                    "warm_median_seconds": sw["median"] if warm else None,
                    "warm_over_cold": sw["median"] / sc["median"] if cold and warm else None,
                    "cached_step_ratio": cac / tot if warm and tot else None,
                    "cold": sc, "warm": sw})
    return out


def csv_field(v):
    if v is None or isinstance(v, (list, dict)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    s = repr(v) if isinstance(v, float) else str(v)
    if any(c in s for c in ',"\r\n'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def write_folder(name, builds, run=None):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "journal.jsonl"), "w") as f:
        for b in builds:
            f.write(json.dumps(b, separators=(",", ":")) + "\n")
    with open(os.path.join(d, "builds.csv"), "w") as f:
        f.write(",".join(CSV_COLS) + "\n")
        for b in builds:
            f.write(",".join(csv_field(b.get(c)) for c in CSV_COLS) + "\n")
    if run is not None:
        run["builds"] = builds
        run["summary"] = summary(builds)
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump(run, f, indent=2)
            f.write("\n")


def scenario():
    return {"name": "cafeboo", "path": "/work/main/scenarios/cafeboo.ini",
            "digest": hashlib.sha256(b"cafeboo.ini").hexdigest(), "repo": None,
            "commits": "last:4", "context": ".", "repetitions": 2, "timeout": 1800.0,
            "network": "host", "build_args": [], "secrets": [], "variants": VARIANTS,
            "world": {"kind": "cafeboo", "scale": 0.05, "bandwidth": 12500000.0, "latency": 0.02,
                      "cache_bandwidth": 62500000.0, "registry_bandwidth": 25000000.0,
                      "base_image": "bench/python:3.12.7-slim", "seed": 7},
            "gate": {"warm_median_growth": 0.15}}


def environment():
    return {"docker": "26.1.5+dfsg1", "buildx": "0.13.1", "kernel": "6.1.0-26-amd64",
            "cpus": 4, "memory_bytes": 8336998400, "host": "bench-ci", "bench": "0.1.0"}


def run(seed, started, ended, slow_local_warm, nocache_factor, fail=False, outlier=False):
    rng = random.Random(seed)
    builds = []
    for v in VARIANTS:
        for rep in (1, 2):
            for idx in range(1, 5):
                f = nocache_factor
                if outlier and v["name"] == "no-cache" and rep == 2 and idx == 3:
                    f *= 1.3
                b = make_build(rng, None, v, rep, idx, slow_local_warm, f)
                if fail and v["name"] == "registry-cache" and rep == 2 and idx == 4:
                    b.update({"status": "failed", "exit_code": 1, "steps_cached": 7,
                              "image_bytes": 0, "push_seconds": 0.0,
                              "wall_seconds": 31.208, "build_seconds": 31.208,
                              "reason": "step '[deps 2/2] RUN pip install --no-cache-dir -r "
                                        "requirements.txt' failed: exit code 1 (ERROR: Could not "
                                        "find a version that satisfies the requirement "
                                        "torch==2.4.1)"})
                builds.append(b)
    r = {"bench_version": "0.1", "started": started, "finished": True, "scenario": scenario(),
         "environment": environment(), "ended": ended}
    return r, builds


ra, ba = run(1, "2026-11-28T06:40:02Z", "2026-11-28T07:52:41Z", 1.0, 1.0, fail=True, outlier=True)
write_folder("synthetic-a", ba, ra)
rb, bb = run(2, "2026-11-29T06:40:05Z", "2026-11-29T07:58:12Z", 2.0, 0.7)
write_folder("synthetic-b", bb, rb)
# interrupted: Ctrl-C during the 6th build; no run.json, journal only
rng = random.Random(3)
bi = [make_build(rng, None, VARIANTS[0], 1, i) for i in range(1, 5)]
bi.append(make_build(rng, None, VARIANTS[1], 1, 1))
last = make_build(rng, None, VARIANTS[1], 1, 2)
last.update({"status": "interrupted", "exit_code": 130, "wall_seconds": 4.311, "build_seconds": 4.311,
             "steps_cached": 2, "image_bytes": 0,
             "reason": "interrupted (Ctrl-C); the build was stopped"})
bi.append(last)
d = os.path.join(HERE, "interrupted")
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "journal.jsonl"), "w") as f:
    for b in bi:
        f.write(json.dumps(b, separators=(",", ":")) + "\n")
