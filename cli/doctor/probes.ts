/**
 * Which program and map types this kernel supports, asked the only reliable way: load a
 * two-instruction program (`r0 = 0; exit`) of each type and create a one-entry map of each
 * type through our own runtime, then close them. Answers are cached on disk per boot (the
 * kernel cannot change without a reboot), but only when every probe could ask: an EPERM
 * answer says nothing about the kernel.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { BpfError } from "../../runtime/errors.js";
import { mapCreate, pageSize, progLoad } from "../../runtime/sys/index.js";
import { BpfAttachType, ProgType, BPF_F_SLEEPABLE, type BpfAttachTypeName, type ProgTypeName } from "../../loader/object/section-table.js";

/** yes: the kernel accepted it; no: it refused the type (EINVAL/E2BIG/EOPNOTSUPP); unknown: could not ask (EPERM). */
export type ProbeAnswer = "yes" | "no" | "unknown" | "not probed";

export interface ProbeResult {
  readonly answer: ProbeAnswer;
  /** errno name of a refusal, or why the type was not probed. */
  readonly detail?: string;
}

const MINIMAL_PROGRAM = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/** Types that need something besides `r0 = 0; exit` to load at all. */
const PROG_EXTRAS: Partial<Record<ProgTypeName, { attach?: BpfAttachTypeName; flags?: number }>> = {
  CGROUP_SOCK_ADDR: { attach: "CGROUP_INET4_CONNECT" },
  CGROUP_SOCKOPT: { attach: "CGROUP_GETSOCKOPT" },
  SK_LOOKUP: { attach: "SK_LOOKUP" },
  NETFILTER: { attach: "NETFILTER" },
  SYSCALL: { flags: BPF_F_SLEEPABLE },
};

/** Types that load only against a BTF target (a kernel function, an ops struct, a program). */
const NEEDS_BTF_TARGET: ReadonlySet<ProgTypeName> = new Set(["TRACING", "EXT", "LSM", "STRUCT_OPS"]);

interface MapShape {
  readonly type: number;
  readonly key: number;
  readonly value: number;
  readonly entries?: number;
  readonly flags?: number;
  /** Maps of maps: created around a one-entry inner array. */
  readonly inner?: boolean;
}

const BPF_F_NO_PREALLOC = 1;

/** enum bpf_map_type entries we probe, with a shape each type accepts. */
const MAP_SHAPES: Readonly<Record<string, MapShape | string>> = {
  hash: { type: 1, key: 4, value: 4 },
  array: { type: 2, key: 4, value: 4 },
  prog_array: { type: 3, key: 4, value: 4 },
  perf_event_array: { type: 4, key: 4, value: 4 },
  percpu_hash: { type: 5, key: 4, value: 4 },
  percpu_array: { type: 6, key: 4, value: 4 },
  stack_trace: { type: 7, key: 4, value: 8 },
  cgroup_array: { type: 8, key: 4, value: 4 },
  lru_hash: { type: 9, key: 4, value: 4 },
  lru_percpu_hash: { type: 10, key: 4, value: 4 },
  lpm_trie: { type: 11, key: 8, value: 4, flags: BPF_F_NO_PREALLOC },
  array_of_maps: { type: 12, key: 4, value: 4, inner: true },
  hash_of_maps: { type: 13, key: 4, value: 4, inner: true },
  devmap: { type: 14, key: 4, value: 4 },
  sockmap: { type: 15, key: 4, value: 4 },
  cpumap: { type: 16, key: 4, value: 4 },
  xskmap: { type: 17, key: 4, value: 4 },
  sockhash: { type: 18, key: 4, value: 4 },
  cgroup_storage: { type: 19, key: 8, value: 4, entries: 0 },
  reuseport_sockarray: { type: 20, key: 4, value: 4 },
  percpu_cgroup_storage: { type: 21, key: 8, value: 4, entries: 0 },
  queue: { type: 22, key: 0, value: 4 },
  stack: { type: 23, key: 0, value: 4 },
  devmap_hash: { type: 25, key: 4, value: 4 },
  ringbuf: { type: 27, key: 0, value: 0, entries: -1 },
  bloom_filter: { type: 30, key: 0, value: 4 },
  user_ringbuf: { type: 31, key: 0, value: 0, entries: -1 },
  sk_storage: "needs BTF for its value",
  inode_storage: "needs BTF for its value",
  task_storage: "needs BTF for its value",
  cgrp_storage: "needs BTF for its value",
  struct_ops: "needs a kernel ops struct",
  arena: "needs a mappable address range",
};

export interface FeatureProbes {
  readonly progTypes: Readonly<Record<string, ProbeResult>>;
  readonly mapTypes: Readonly<Record<string, ProbeResult>>;
  /** True when the answers came from the cache. */
  readonly cached: boolean;
}

function answerOf(e: unknown): ProbeResult {
  if (e instanceof BpfError) return { answer: e.code === "EPERM" ? "unknown" : "no", detail: e.code };
  throw e;
}

function probeProgType(name: ProgTypeName): ProbeResult {
  if (NEEDS_BTF_TARGET.has(name)) return { answer: "not probed", detail: "loads only against a BTF target" };
  const extra = PROG_EXTRAS[name] ?? {};
  try {
    using _fd = progLoad({
      type: ProgType[name], insns: MINIMAL_PROGRAM, license: "GPL", name: "probe",
      expectedAttachType: extra.attach === undefined ? 0 : BpfAttachType[extra.attach], flags: extra.flags,
    });
    return { answer: "yes" };
  } catch (e) {
    return answerOf(e);
  }
}

function probeMapType(shape: MapShape): ProbeResult {
  try {
    using inner = shape.inner ? mapCreate({ type: 2, keySize: 4, valueSize: 4, maxEntries: 1, name: "probe_inner" }) : undefined;
    using _fd = mapCreate({
      type: shape.type, keySize: shape.key, valueSize: shape.value,
      maxEntries: shape.entries === -1 ? pageSize() : shape.entries ?? 1, flags: shape.flags, name: "probe", innerMapFd: inner?.raw,
    });
    return { answer: "yes" };
  } catch (e) {
    return answerOf(e);
  }
}

function cacheFile(): string | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const base = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
    return path.join(base, "whistler-ts", `features-${boot}.json`);
  } catch {
    return undefined;
  }
}

function readCache(file: string): FeatureProbes | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as FeatureProbes;
    if (typeof c.progTypes !== "object" || typeof c.mapTypes !== "object") return undefined;
    return { progTypes: c.progTypes, mapTypes: c.mapTypes, cached: true };
  } catch {
    return undefined;
  }
}

/** Probe every program and map type (or read this boot's cached answers). */
export function probeFeatures(opts: { useCache: boolean }): FeatureProbes {
  const file = cacheFile();
  if (opts.useCache && file) {
    const hit = readCache(file);
    if (hit) return hit;
  }
  const progTypes: Record<string, ProbeResult> = {};
  for (const name of Object.keys(ProgType) as ProgTypeName[]) {
    if (name !== "UNSPEC") progTypes[name.toLowerCase()] = probeProgType(name);
  }
  const mapTypes: Record<string, ProbeResult> = {};
  for (const [name, shape] of Object.entries(MAP_SHAPES)) {
    mapTypes[name] = typeof shape === "string" ? { answer: "not probed", detail: shape } : probeMapType(shape);
  }
  const all = [...Object.values(progTypes), ...Object.values(mapTypes)];
  if (file && !all.some((r) => r.answer === "unknown")) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ progTypes, mapTypes }));
    } catch {
      // an unwritable cache only costs the next run a few milliseconds of probing
    }
  }
  return { progTypes, mapTypes, cached: false };
}
