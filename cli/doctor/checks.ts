/**
 * The facts `whistler doctor` reports about this machine, each with a status and, when a
 * piece is missing, the exact command that fixes it. Required pieces fail the doctor;
 * optional ones (needed by some program kinds only) warn.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { release, machine } from "node:os";
import { SETCAP_LINE } from "../../runtime/errors.js";

export type CheckStatus = "ok" | "warn" | "fail" | "info";

export interface Check {
  readonly id: string;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** The exact command or change that fixes it (absent when nothing needs fixing). */
  readonly fix?: string;
}

interface Mount {
  readonly fsType: string;
  readonly dir: string;
}

export function readMounts(text = safeRead("/proc/mounts") ?? ""): Mount[] {
  return text.split("\n").filter(Boolean).map((l) => {
    const [, dir = "", fsType = ""] = l.split(" ");
    // /proc/mounts escapes spaces and tabs in paths as octal
    return { dir: dir.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), fsType };
  });
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Capability bit numbers (include/uapi/linux/capability.h). */
const CAPS = { CAP_NET_ADMIN: 12, CAP_SYS_ADMIN: 21, CAP_SYS_RESOURCE: 24, CAP_PERFMON: 38, CAP_BPF: 39 } as const;
export type CapName = keyof typeof CAPS;

export function effectiveCaps(status = safeRead("/proc/self/status") ?? ""): Set<CapName> {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  const bits = m ? BigInt("0x" + m[1]) : 0n;
  return new Set((Object.keys(CAPS) as CapName[]).filter((c) => ((bits >> BigInt(CAPS[c])) & 1n) === 1n));
}

/** "6.18.44-fc" -> [6, 18]. */
export function kernelVersion(rel: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const atLeast = (v: [number, number], major: number, minor: number): boolean => v[0] > major || (v[0] === major && v[1] >= minor);

function kernelCheck(rel: string): Check {
  const v = kernelVersion(rel);
  const summary = `Linux ${rel} (${machine()})`;
  if (!atLeast(v, 5, 8)) {
    return { id: "kernel", status: atLeast(v, 4, 18) ? "warn" : "fail", summary: `${summary}: older than 5.8, so no ring buffers, CAP_BPF or memcg-accounted maps`, fix: "upgrade to Linux 5.8 or newer (5.15+ recommended)" };
  }
  return { id: "kernel", status: "ok", summary };
}

function capsCheck(caps: Set<CapName>): Check {
  const bpf = caps.has("CAP_BPF") || caps.has("CAP_SYS_ADMIN");
  const perfmon = caps.has("CAP_PERFMON") || caps.has("CAP_SYS_ADMIN");
  const net = caps.has("CAP_NET_ADMIN");
  const held = [...caps].sort().join(" ") || "none";
  if (!bpf || !perfmon) {
    const missing = [!bpf && "CAP_BPF", !perfmon && "CAP_PERFMON"].filter(Boolean).join(" and ");
    return { id: "capabilities", status: "fail", summary: `effective capabilities: ${held}; missing ${missing}`, fix: `run as root, or: ${SETCAP_LINE}` };
  }
  if (!net) {
    return { id: "capabilities", status: "warn", summary: `effective capabilities: ${held}; no CAP_NET_ADMIN (XDP, tc and cgroup programs cannot attach)`, fix: SETCAP_LINE };
  }
  return { id: "capabilities", status: "ok", summary: `effective capabilities: ${held}` };
}

function mountCheck(mounts: readonly Mount[], o: { id: string; fsType: string; what: string; required: boolean; fix: string }): Check {
  const dirs = mounts.filter((m) => m.fsType === o.fsType).map((m) => m.dir);
  if (dirs.length > 0) return { id: o.id, status: "ok", summary: `${o.what} mounted at ${dirs.join(", ")}` };
  return { id: o.id, status: o.required ? "fail" : "warn", summary: `${o.what} is not mounted`, fix: o.fix };
}

function btfCheck(): Check {
  const file = "/sys/kernel/btf/vmlinux";
  if (existsSync(file)) {
    const kb = Math.round(statSync(file).size / 1024);
    return { id: "vmlinux-btf", status: "ok", summary: `vmlinux BTF at ${file} (${kb} KiB): CO-RE and kernel struct layouts work` };
  }
  return {
    id: "vmlinux-btf", status: "warn", summary: "no vmlinux BTF: CO-RE relocations, fentry/fexit and `whistler btf` cannot resolve kernel types",
    fix: "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions since 2020)",
  };
}

function unprivilegedCheck(): Check {
  const v = safeRead("/proc/sys/kernel/unprivileged_bpf_disabled")?.trim();
  const meaning: Record<string, string> = {
    "0": "unprivileged users may load socket filters",
    "1": "only privileged processes may use bpf() (cannot be changed until reboot)",
    "2": "only privileged processes may use bpf() (an admin may change it)",
  };
  if (v === undefined) return { id: "unprivileged_bpf_disabled", status: "info", summary: "kernel.unprivileged_bpf_disabled not readable" };
  // Our tools run privileged anyway: this only matters for unprivileged socket filters.
  return {
    id: "unprivileged_bpf_disabled", status: "info", summary: `kernel.unprivileged_bpf_disabled = ${v}: ${meaning[v] ?? "unknown value"}`,
    ...(v !== "0" ? { fix: "grant CAP_BPF instead (see capabilities); lowering the sysctl opens bpf() to every user" } : {}),
  };
}

function memlockCheck(rel: string): Check {
  const line = /^Max locked memory\s+(\S+)\s+(\S+)/m.exec(safeRead("/proc/self/limits") ?? "");
  const soft = line?.[1] ?? "unknown";
  const limit = soft === "unlimited" ? "unlimited" : /^\d+$/.test(soft) ? `${Math.round(Number(soft) / 1024)} KiB` : soft;
  if (atLeast(kernelVersion(rel), 5, 11)) {
    return { id: "memlock", status: "info", summary: `RLIMIT_MEMLOCK ${limit}: not used for BPF memory on Linux 5.11+ (memory cgroup accounting), nothing to raise` };
  }
  const enough = soft === "unlimited";
  return {
    id: "memlock", status: enough ? "ok" : "warn", summary: `RLIMIT_MEMLOCK ${limit}: kernels before 5.11 charge maps and programs against it`,
    ...(enough ? {} : { fix: "ulimit -l unlimited (or LimitMEMLOCK=infinity in a systemd unit)" }),
  };
}

function attachPointsCheck(tracefs: string | undefined): Check[] {
  const pmu = (name: string): boolean => existsSync(`/sys/bus/event_source/devices/${name}/type`);
  const legacy = (file: string): boolean => tracefs !== undefined && existsSync(path(tracefs, file));
  const kprobes = pmu("kprobe") || legacy("kprobe_events");
  const uprobes = pmu("uprobe") || legacy("uprobe_events");
  return [
    kprobes
      ? { id: "kprobes", status: "ok", summary: `kprobes available (${pmu("kprobe") ? "kprobe PMU" : "tracefs kprobe_events"})` }
      : { id: "kprobes", status: "warn", summary: "no kprobes: Kprobe/Kretprobe programs load but cannot attach", fix: "use a kernel built with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y" },
    uprobes
      ? { id: "uprobes", status: "ok", summary: `uprobes available (${pmu("uprobe") ? "uprobe PMU" : "tracefs uprobe_events"})` }
      : { id: "uprobes", status: "warn", summary: "no uprobes: Uprobe programs load but cannot attach", fix: "use a kernel built with CONFIG_UPROBES=y and CONFIG_UPROBE_EVENTS=y" },
    usdtCheck(pmu("uprobe")),
  ];
}

/** USDT probes are uprobes that need the PMU's reference counter for probes with semaphores. */
function usdtCheck(uprobePmu: boolean): Check {
  if (!uprobePmu) return { id: "usdt", status: "warn", summary: "no uprobe PMU: Usdt programs load but cannot attach", fix: "use a kernel >= 4.17 built with CONFIG_UPROBE_EVENTS=y" };
  return existsSync("/sys/bus/event_source/devices/uprobe/format/ref_ctr_offset")
    ? { id: "usdt", status: "ok", summary: "USDT probes attach, semaphores included (uprobe ref_ctr_offset)" }
    : { id: "usdt", status: "warn", summary: "USDT probes attach, but probes behind a semaphore stay off (no uprobe ref_ctr_offset)", fix: "use a kernel >= 4.20" };
}

function path(dir: string, file: string): string {
  return `${dir.replace(/\/$/, "")}/${file}`;
}

function jitCheck(): Check {
  const v = safeRead("/proc/sys/net/core/bpf_jit_enable")?.trim();
  if (v === undefined || v === "1" || v === "2") return { id: "jit", status: "ok", summary: v === undefined ? "BPF JIT always on (CONFIG_BPF_JIT_ALWAYS_ON)" : "BPF JIT enabled" };
  return { id: "jit", status: "warn", summary: "BPF JIT disabled: programs run in the interpreter (slow)", fix: "sysctl -w net.core.bpf_jit_enable=1" };
}

/** Every environment check, in the order the doctor prints them. */
export function environmentChecks(): Check[] {
  const rel = release();
  const mounts = readMounts();
  const tracefs = mounts.find((m) => m.fsType === "tracefs")?.dir;
  return [
    kernelCheck(rel),
    capsCheck(effectiveCaps()),
    mountCheck(mounts, { id: "tracefs", fsType: "tracefs", what: "tracefs", required: true, fix: "mount -t tracefs nodev /sys/kernel/tracing" }),
    mountCheck(mounts, { id: "bpffs", fsType: "bpf", what: "bpffs", required: false, fix: "mount -t bpf bpf /sys/fs/bpf (needed only to pin maps, programs and links)" }),
    mountCheck(mounts, { id: "cgroup2", fsType: "cgroup2", what: "cgroup2", required: false, fix: "mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified (needed only by cgroup programs)" }),
    btfCheck(),
    ...attachPointsCheck(tracefs),
    jitCheck(),
    unprivilegedCheck(),
    memlockCheck(rel),
  ];
}
