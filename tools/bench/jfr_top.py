"""Where a Java Flight Recording of `./axlearn bench` spent its samples: the share of each
native (JNI) entry point, and of each axlearn method inclusive of what it calls. Samples of
threads in native code (jdk.NativeMethodSample, i.e. inside libtorch) and in Java
(jdk.ExecutionSample) both count; only the thread that runs the train step is kept.

    AXLEARN_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/bench.jfr,settings=profile" \\
        ./axlearn bench --module text.charlm --config tiny ...
    python3 tools/bench/jfr_top.py /tmp/bench.jfr [top]
"""
import collections
import json
import subprocess
import sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events",
                      "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]


def name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".").rsplit(".", 1)[-1] + "." + m["name"]


def full(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


stacks = []
for e in events:
    v = e["values"]
    thread = (v.get("sampledThread") or {}).get("javaName", "?")
    frames = (v.get("stackTrace") or {}).get("frames") or []
    if thread == "main" and frames:
        stacks.append(frames)
n = len(stacks)
leaf = collections.Counter(name(f[0]) for f in stacks)
inclusive = collections.Counter()
for frames in stacks:
    seen = set()
    for f in frames:
        k = full(f)
        if k.startswith("io.axlearn.") and "$$Lambda" not in k and k not in seen:
            seen.add(k)
            inclusive[k] += 1
print("%d samples of the main thread" % n)
print("\nleaf frames (JNI entry points are where libtorch runs):")
for k, c in leaf.most_common(top):
    print("  %5.1f%%  %s" % (100 * c / n, k))
print("\naxlearn methods, inclusive:")
for k, c in inclusive.most_common(top):
    print("  %5.1f%%  %s" % (100 * c / n, k.replace("io.axlearn.", "")))
