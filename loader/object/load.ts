/**
 * Turning an `ObjectSpec` into kernel objects: BTF, then maps, then programs (map references
 * patched to fds). Any failure closes everything created so far.
 *
 * Programs load first without a verifier log (cheap for the kernel); only a failed load is
 * retried with log level 1 and a buffer grown until the log fits, to build a VerifierError.
 */
import { BpfError, VerifierError, WhistlerError } from "../../runtime/errors.js";
import { isScalarType, MAP_TYPE_IDS, type ElemType, type MapDecl } from "../../runtime/map-decl.js";
import { btfLoad, ENOSPC, EPERM, mapCreate, NativeBuffer, possibleCpus, progLoad, type Fd, type MapCreateOptions } from "../../runtime/sys/index.js";
import { sanitizeBtf, type BtfFeatures } from "../btf/index.js";
import { resolveKfunc } from "../reloc/kfunc.js";
import { vmlinuxBtf } from "../link/vmlinux-btf.js";
import { btfFeatures, kernelFacts } from "../features/index.js";
import { attachBtfId, tracingRefusal } from "../link/index.js";
import { openOrCreatePinnedMap, unpin } from "../pin/index.js";
import { Program } from "../program/index.js";
import { applyRelocations, coreVerifierHint, kconfigData, KCONFIG_MAP, type CoreCandidates, type KernelFacts, type PlacedCoreResult } from "../reloc/index.js";
import { explainVerifierLog } from "../verifier/index.js";
import { withGlobals, type GlobalValue } from "./globals.js";
import { fillSlots, initMapContents } from "./map-setup.js";
import { BpfObject, type LoadedMap } from "./bpf-object.js";
import { coreTarget, relocateCore, type TargetBtf } from "./core-relocate.js";
import { ProgType } from "./sections.js";
import type { MapSpec, ObjectSpec, ProgramSpec } from "./spec.js";
import { USDT_LAYOUTS, UsdtSpecTable } from "../link/usdt-specs.js";

export interface LoadOptions {
  /** bpffs directory: reuse maps pinned there by name (checked for compatibility), pin new ones there. */
  pinMaps?: string;
  /** Largest verifier log to collect on failure (bytes). Default 16 MiB. */
  maxLogSize?: number;
  /** Verifier log level for the retry after a failure: 1 (default) or 2 (every state). */
  logLevel?: 1 | 2;
  /** Map name in the object -> declaration, for typed handles (set by load() for templates). */
  decls?: Readonly<Record<string, MapDecl>>;
  /** Programs to load although their section says not to (`SEC("?name")`). */
  programs?: readonly string[];
  /** The kernel kconfig externs read (default: this machine's uname and config). */
  kernelFacts?: KernelFacts;
  /** BTF kinds to assume the kernel supports (default: probed); fewer sanitize more, as for older kernels. */
  btfFeatures?: BtfFeatures;
  /** Initial values of global variables by name (`.rodata` knobs, `.data` starting values). */
  globals?: Readonly<Record<string, GlobalValue>>;
  /**
   * BTF that CO-RE relocations resolve against: a parsed Btf, raw BTF bytes or a file path.
   * Default: the running kernel's /sys/kernel/btf/vmlinux (read once per process).
   */
  targetBtf?: TargetBtf;
}

const FIRST_LOG_SIZE = 64 * 1024;
const PERF_EVENT_ARRAY = 4;

function checkDecl(spec: MapSpec, decl: MapDecl): void {
  const problems: string[] = [];
  if (MAP_TYPE_IDS[decl.kind] !== spec.type) problems.push(`kind ${decl.kind} (type ${MAP_TYPE_IDS[decl.kind]}) vs type ${spec.type}`);
  const shown = (t: ElemType): string => (isScalarType(t) ? t.name : `${t.size}-byte codec`);
  if (decl.kind !== "ringbuf" && decl.key.size !== spec.keySize) problems.push(`key ${shown(decl.key)} vs ${spec.keySize} bytes`);
  if (decl.kind !== "ringbuf" && decl.value.size !== spec.valueSize) problems.push(`value ${shown(decl.value)} vs ${spec.valueSize} bytes`);
  // A perf event array declared with 0 entries gets one per possible CPU, like libbpf's.
  if (decl.maxEntries !== spec.maxEntries && !(decl.kind === "perf_event_array" && decl.maxEntries === 0)) {
    problems.push(`maxEntries ${decl.maxEntries} vs ${spec.maxEntries}`);
  }
  if (problems.length) {
    throw new WhistlerError(`map "${spec.name}": the declaration does not match the object (${problems.join("; ")})`, {
      hint: "rebuild so the compiled object matches the declaration",
    });
  }
}

function createMap(spec: MapSpec, btfFd: Fd | undefined, innerMapFd?: number): Fd {
  // One options object, its BTF fields cleared for the retry (a spread per map cost more than filling it).
  const o: MapCreateOptions = {
    type: spec.type, keySize: spec.keySize, valueSize: spec.valueSize,
    // A perf event array without max_entries gets one slot per possible CPU, as with libbpf.
    maxEntries: spec.type === PERF_EVENT_ARRAY && spec.maxEntries === 0 ? possibleCpus() : spec.maxEntries,
    flags: spec.flags, numaNode: spec.numaNode, name: spec.name, innerMapFd,
    mapExtra: spec.mapExtra ? BigInt(spec.mapExtra) : undefined,
    btfFd: undefined, btfKeyTypeId: spec.btfKeyTypeId, btfValueTypeId: spec.btfValueTypeId,
  };
  const ctx = { what: `create map "${spec.name}"` };
  if (btfFd && (spec.btfKeyTypeId || spec.btfValueTypeId)) {
    o.btfFd = btfFd.raw;
    try {
      return mapCreate(o, ctx);
    } catch (e) {
      // Some kernels reject BTF for some map types; the map works without it (libbpf does the same).
      if (!(e instanceof BpfError) || e.errno === EPERM) throw e;
      o.btfFd = undefined;
    }
  }
  return mapCreate(o, ctx);
}

/** Map-in-map: create the inner template, then the outer map with it (the template is closed after). */
function createMapWithInner(spec: MapSpec, btfFd: Fd | undefined): Fd {
  if (!spec.inner) return createMap(spec, btfFd);
  using inner = createMapWithInner(spec.inner, btfFd);
  return createMap(spec, btfFd, inner.raw);
}

/** The object's BTF, sanitized for this kernel, loaded; undefined when the kernel refuses it. */
function loadBtf(spec: ObjectSpec, features: BtfFeatures): Fd | undefined {
  if (!spec.btf || !spec.parsedBtf) return undefined;
  try {
    return btfLoad(sanitizeBtf(spec.btf, spec.parsedBtf, features));
  } catch (e) {
    // Without BTF, maps still work (no pretty-printing in bpftool); refuse only on EPERM.
    if (!(e instanceof BpfError) || e.errno === EPERM) throw e;
    return undefined;
  }
}

function loadProgram(
  p: ProgramSpec, insns: Uint8Array, spec: ObjectSpec, btfFd: Fd | undefined, opts: LoadOptions, poisoned: readonly PlacedCoreResult[],
): Fd {
  // func_info names FUNC types: without kernel support for them the BTF has none left.
  const debug = btfFd && (opts.btfFeatures ?? btfFeatures()).func ? p.debugInfo : undefined;
  const base = {
    type: ProgType[p.def.progType], insns, license: spec.license, name: p.name,
    expectedAttachType: p.def.expectedAttachType, caps: p.def.caps, flags: p.def.progFlags,
    kernVersion: spec.kernVersion, btfFd: debug ? btfFd?.raw : undefined,
    funcInfo: debug?.funcInfo, lineInfo: debug?.lineInfo,
    // fentry/fexit/lsm/...: the kernel wants the traced function's id in its own BTF.
    attachBtfId: p.def.target.kind === "btf" ? attachBtfId(p.section, p.def.target.target) : undefined,
  };
  let first: BpfError;
  try {
    return progLoad(base);
  } catch (e) {
    if (e instanceof BpfError && e.errno === EPERM && p.def.target.kind === "btf") throw tracingRefusal(p.name, p.section, e) ?? e;
    if (!(e instanceof BpfError) || e.errno === EPERM) throw e;
    first = e;
  }
  const max = opts.maxLogSize ?? 16 * 1024 * 1024;
  let size = Math.min(FIRST_LOG_SIZE, max);
  for (;;) {
    using log = new NativeBuffer(size);
    const out = { logTrueSize: 0 };
    try {
      // Loads that failed without a log can pass with one only by chance; take the fd then.
      return progLoad({ ...base, logLevel: opts.logLevel ?? 1, log }, out);
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      if (e.errno === ENOSPC && size < max) {
        size = Math.min(max, Math.max(size * 4, out.logTrueSize));
        continue;
      }
      const end = log.bytes.indexOf(0);
      const text = new TextDecoder().decode(log.bytes.subarray(0, end < 0 ? log.size : end));
      const details = explainVerifierLog(text, p.lines);
      throw new VerifierError(p.name, e.errno === ENOSPC ? first.errno : e.errno, text, {
        cause: first, details, hint: coreVerifierHint(text, details.insn, poisoned),
      });
    }
  }
}

/** Create the spec's maps and load its programs. */
export function loadSpec(parsed: ObjectSpec, opts: LoadOptions = {}): BpfObject {
  const spec = opts.globals ? withGlobals(parsed, opts.globals) : parsed;
  const maps = new Map<string, LoadedMap>();
  const reusedMaps = new Set<string>();
  // Pins this load made: a load that fails takes them back, leaving bpffs as it found it.
  const newPins: string[] = [];
  const programs = new Map<string, Program>();
  let btfFd: Fd | undefined;
  try {
    btfFd = loadBtf(spec, opts.btfFeatures ?? btfFeatures());
    for (const s of spec.maps.values()) {
      const decl = opts.decls?.[s.name];
      if (decl) checkDecl(s, decl);
      if (opts.pinMaps) {
        const pinned = openOrCreatePinnedMap(s, opts.pinMaps, () => createMapWithInner(s, btfFd));
        if (pinned.reused) reusedMaps.add(s.name);
        else newPins.push(pinned.path);
        maps.set(s.name, { spec: s, fd: pinned.fd, decl });
      } else {
        maps.set(s.name, { spec: s, fd: createMapWithInner(s, btfFd), decl });
      }
    }
    const mapFd = (name: string): number | undefined => maps.get(name)?.fd.raw;
    let candidates: CoreCandidates | undefined;
    const target = (): CoreCandidates => (candidates ??= coreTarget(opts.targetBtf));
    for (const m of maps.values()) {
      if (reusedMaps.has(m.spec.name)) continue; // a reused pinned map keeps its contents
      const contents = m.spec.name === KCONFIG_MAP && spec.kconfig ? kconfigData(spec.kconfig, opts.kernelFacts ?? kernelFacts()) : m.spec.initial;
      initMapContents(m.fd, m.spec, contents);
      if (m.spec.inner) fillSlots(m.fd, m.spec, mapFd);
    }
    // The USDT spec table the object's programs read: ours, or libbpf's (usdt.bpf.h).
    const usdtLayout = USDT_LAYOUTS.find((l) => maps.has(l.map));
    const usdtMap = usdtLayout && maps.get(usdtLayout.map);
    const usdtSpecs = usdtLayout && usdtMap ? new UsdtSpecTable(usdtMap.fd, usdtLayout, usdtMap.spec.valueSize) : undefined;
    for (const p of spec.programs) {
      if (!p.def.autoload && !opts.programs?.includes(p.name)) continue;
      if (programs.has(p.name)) throw new WhistlerError(`two programs are named "${p.name}"`);
      // CO-RE first: it checks the compiler's values in the instructions, which map patching replaces.
      const core = relocateCore(p, spec.parsedBtf, target);
      const poisoned = core.results.filter((r) => r.poisoned);
      const kfuncs = (name: string): number => resolveKfunc(p.name, name, vmlinuxBtf(), spec.parsedBtf);
      const fd = loadProgram(p, applyRelocations(core.insns, p.relocations, mapFd, p.name, kfuncs), spec, btfFd, opts, poisoned);
      programs.set(p.name, new Program(fd, p.name, p.section, p.def.progType, p.def.target, p.insns.length / 8, p.def.target.kind === "usdt" ? usdtSpecs : undefined));
    }
    for (const m of maps.values()) {
      if (!m.spec.inner && m.spec.slots.length) fillSlots(m.fd, m.spec, (name) => programs.get(name)?.fd.raw);
    }
  } catch (e) {
    for (const p of programs.values()) p.close();
    for (const m of maps.values()) m.fd.close();
    for (const path of newPins) {
      try {
        unpin(path);
      } catch {
        // The load's own error is the one to report; a pin that cannot be removed stays.
      }
    }
    throw e;
  } finally {
    // Maps and programs hold their own references to the BTF.
    btfFd?.close();
  }
  return new BpfObject(programs, maps);
}
