/**
 * `whistler doctor` on the real kernel: with root it finds every required piece (exit 0) and
 * reports what it probed; stripped of every capability it fails (exit 1) and prints the
 * setcap line that fixes it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";
import { SETCAP_LINE } from "../../runtime/errors.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "dist/cli/main.js");
const cache = mkdtempSync(path.join(tmpdir(), "whistler-doctor-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

interface DoctorJson {
  ok: boolean;
  cached: boolean;
  checks: { id: string; status: string; summary: string; fix?: string }[];
  progTypes: Record<string, string>;
  mapTypes: Record<string, string>;
}

function doctor(args: string[], prefix: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...rest] = [...prefix, process.execPath, cli, "doctor", ...args];
  const r = spawnSync(cmd!, rest, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: cache } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeKernel("whistler doctor", () => {
  checkNoFdLeaks();

  test("finds every required piece, probes program and map types, and caches the answers", () => {
    const first = doctor(["--json"]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const d = JSON.parse(first.stdout) as DoctorJson;
    expect(d.ok).toBe(true);
    expect(d.cached).toBe(false);
    const ids = d.checks.map((c) => c.id);
    for (const id of ["kernel", "capabilities", "tracefs", "bpffs", "cgroup2", "vmlinux-btf", "kprobes", "uprobes", "usdt", "unprivileged_bpf_disabled", "memlock", "bpf-syscall"]) {
      expect(ids).toContain(id);
    }
    expect(d.checks.find((c) => c.id === "usdt")).toMatchObject({ status: "ok", summary: "USDT probes attach, semaphores included (uprobe ref_ctr_offset)" });
    expect(d.checks.find((c) => c.id === "kernel")!.summary).toMatch(/^Linux \d+\.\d+/);
    // what the machines we build on have (DESIGN.md)
    for (const t of ["tracepoint", "raw_tracepoint", "xdp", "sched_cls", "cgroup_skb", "socket_filter", "kprobe", "perf_event"]) expect(d.progTypes[t]).toBe("yes");
    for (const t of ["hash", "array", "percpu_hash", "lru_hash", "lpm_trie", "ringbuf", "array_of_maps", "bloom_filter"]) expect(d.mapTypes[t]).toBe("yes");
    expect(d.progTypes.tracing).toBe("not probed");
    // every piece that is not ok says how to fix it
    for (const c of d.checks) if (c.status === "warn" || c.status === "fail") expect(c.fix).toBeTruthy();
    expect(readdirSync(path.join(cache, "whistler-ts")).some((f) => f.startsWith("features-"))).toBe(true);

    const second = JSON.parse(doctor(["--json"]).stdout) as DoctorJson;
    expect(second.cached).toBe(true);
    expect(second.progTypes).toEqual(d.progTypes);
    expect((JSON.parse(doctor(["--json", "--no-cache"]).stdout) as DoctorJson).cached).toBe(false);
  });

  test("prints a readable report ending in its verdict", () => {
    const r = doctor([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}ok {4}kernel\s+Linux /m);
    expect(r.stdout).toMatch(/^program types/m);
    expect(r.stdout).toMatch(/^ {2}yes: .*tracepoint/m);
    expect(r.stdout).toMatch(/All required pieces are present\.\n$/);
  });

  test("without capabilities it fails with the fix", () => {
    // root keeps uid 0 under setpriv but loses every capability
    const r = doctor(["--no-cache"], ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}capabilities .*missing CAP_BPF and CAP_PERFMON/);
    expect(r.stdout).toContain(SETCAP_LINE);
    expect(r.stdout).toMatch(/FAIL {2}bpf-syscall .*EPERM/);
    expect(r.stdout).toMatch(/2 required pieces are missing/);
    const j = JSON.parse(doctor(["--json", "--no-cache"], ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all"]).stdout) as DoctorJson;
    expect(j.ok).toBe(false);
    expect(j.progTypes.xdp).toBe("unknown");
  });
});
