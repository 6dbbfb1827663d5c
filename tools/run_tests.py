#!/usr/bin/env python3
"""Builds lispmob and runs its tests, counting gtest cases from each program's
own XML (written fresh per run), since meson counts programs and can report a
crashed program from a stale XML. Other tests count as one case.

The aarch64 cross build (tools/cross/) runs its unit and DPDK tests under
qemu-aarch64-static; the Map-Server-only build (no DPDK) runs the MS lab.

usage: run_tests.py [--only-gcc] [--no-aarch64] [--fuzz-seconds N]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUILDS = {
    "build": {"env": {}, "options": []},
    "build-asan": {
        "env": {"CC": "clang", "CXX": "clang++"},
        "options": ["-Db_sanitize=address,undefined", "-Db_lundef=false", "-Dfuzz=true",
                    "-Dbench=false", "-Dbuildtype=debug"],
    },
    # Map-Server only, no DPDK (-Ddataplane=false): lispd, lig, lispctl and
    # ms_load, and the MS lab run with them. Only those targets are built.
    "build-ms": {
        "env": {},
        "options": ["-Ddataplane=false"],
        "targets": ["tools/lispd", "tools/lig", "tools/lispctl", "bench/ms_load"],
        "tests": {"map_server_netns"},
    },
    # Configured by tools/cross/aarch64-setup; only these suites run under qemu
    # (the tool scripts call the binaries directly, which needs binfmt_misc).
    "build-aarch64": {"setup": "tools/cross/aarch64-setup", "suites": {"lispmob:unit", "lispmob:dpdk"}},
}


def build(name):
    spec = BUILDS[name]
    path = os.path.join(ROOT, name)
    env = dict(os.environ, **spec.get("env", {}))
    if "setup" in spec:
        subprocess.run([os.path.join(ROOT, spec["setup"]), path], cwd=ROOT, env=env, check=True)
    elif not os.path.exists(os.path.join(path, "build.ninja")):
        subprocess.run(["meson", "setup", path] + spec["options"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", path] + spec.get("targets", []), cwd=ROOT, env=env, check=True)
    return path


def exe_wrapper(path):
    """The cross file's exe_wrapper, or [] for a native build."""
    cross = os.path.join(path + ".cross", "aarch64.ini")
    if not os.path.exists(cross):
        return []
    for line in open(cross):
        if line.startswith("sysroot ="):
            sysroot = line.split("=", 1)[1].strip().strip("'")
            return ["qemu-aarch64-static", "-L", sysroot]
    raise RuntimeError("no sysroot in " + cross)


def list_tests(name, path):
    out = subprocess.run(["meson", "introspect", path, "--tests"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    tests = json.loads(out)
    suites = BUILDS[name].get("suites")
    if suites:
        tests = [t for t in tests if suites & set(t.get("suite", []))]
    names = BUILDS[name].get("tests")
    if names:
        tests = [t for t in tests if t["name"] in names]
    wrapper = exe_wrapper(path)
    for t in tests:
        t["cmd"] = wrapper + t["cmd"]
    return tests


def count_gtest_xml(xml_path):
    root = ET.parse(xml_path).getroot()
    total = int(root.get("tests", 0))
    failed = int(root.get("failures", 0)) + int(root.get("errors", 0))
    skipped = int(root.get("disabled", 0)) + int(root.get("skipped", 0))
    return total - failed - skipped, failed


def run_one(build_name, test, fuzz_seconds):
    build_dir = os.path.join(ROOT, build_name)
    env = dict(os.environ)
    env.update(test.get("env") or {})
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["LISPMOB_FUZZ_SECONDS"] = str(fuzz_seconds)
    cmd = list(test["cmd"])
    xml_path = None
    if test.get("protocol") == "gtest":
        fd, xml_path = tempfile.mkstemp(suffix=".xml", prefix="gtest-")
        os.close(fd)
        os.unlink(xml_path)  # a crash must not leave an old report to read
        cmd.append("--gtest_output=xml:" + xml_path)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=test.get("workdir") or build_dir, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=test.get("timeout") or 600)
        rc, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc, output = -1, "TIMEOUT\n" + (e.stdout or "") + (e.stderr or "")
    seconds = time.monotonic() - started
    passed = failed = 0
    if xml_path and os.path.exists(xml_path):
        passed, failed = count_gtest_xml(xml_path)
        os.unlink(xml_path)
        if rc != 0 and failed == 0:
            failed = 1  # crashed after writing its report, or at exit
    elif rc == 77:
        pass  # skipped
    elif rc == 0:
        passed = 1
    else:
        failed = 1
    return build_name, test["name"], passed, failed, rc, seconds, output


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only-gcc", action="store_true")
    parser.add_argument("--no-aarch64", action="store_true")
    parser.add_argument("--fuzz-seconds", type=int,
                        default=int(os.environ.get("LISPMOB_FUZZ_SECONDS", "30")))
    args = parser.parse_args()

    names = ["build"] if args.only_gcc else ["build", "build-asan", "build-ms"]
    if not args.only_gcc and not args.no_aarch64:
        names.append("build-aarch64")
    jobs = []
    try:
        for name in names:
            started = time.monotonic()
            path = build(name)
            print(f"built {name} in {time.monotonic() - started:.0f}s", flush=True)
            jobs += [(name, t) for t in list_tests(name, path)]
    except subprocess.CalledProcessError as e:
        print(f"build failed: {e}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    totals = [0, 0]

    def report(result):
        name, test, passed, failed, rc, seconds, output = result
        totals[0] += passed
        totals[1] += failed
        status = "FAIL" if failed else ("SKIP" if passed == 0 else "ok")
        print(f"{status:4} {name}:{test}  {passed} passed, {failed} failed  ({seconds:.1f}s)",
              flush=True)
        if failed:
            tail = "\n".join(output.splitlines()[-60:])
            print("    | " + tail.replace("\n", "\n    | "), flush=True)

    # The namespace labs (is_parallel: false in meson) run one at a time with
    # nothing beside them: two labs' DPDK workers and TCP transfers on two
    # cores starve each other's control threads, and their figures mean
    # nothing.
    alone = [(name, t) for name, t in jobs if not t.get("is_parallel", True)]
    shared = [(name, t) for name, t in jobs if t.get("is_parallel", True)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = [pool.submit(run_one, name, t, args.fuzz_seconds) for name, t in shared]
        for future in concurrent.futures.as_completed(futures):
            report(future.result())
    for name, t in alone:
        report(run_one(name, t, args.fuzz_seconds))
    total_passed, total_failed = totals
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
