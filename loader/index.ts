/**
 * The loader's public surface: `load()` an object (a compiled `bpf` template, ELF bytes, or
 * an ELF file path) into a `BpfObject` with typed map handles, programs, links and test runs.
 */
import { readFile } from "node:fs/promises";
import { WhistlerError } from "../runtime/errors.js";
import type { MapDecl } from "../runtime/map-decl.js";
import { BpfTemplate, type TemplateMaps } from "../runtime/template.js";
import { loadSpec, parseObject, type BpfObject, type LoadOptions as SpecLoadOptions } from "./object/index.js";

export { BpfObject, parseObject, type AttachAllOptions, type HandleFor, type MapSpec, type ObjectSpec, type ProgramSpec, type AttachTarget, type ProgTypeName } from "./object/index.js";
export {
  MapHandle, MapBase, UpdateFlags, QueueHandle, BloomFilterHandle, ProgArrayHandle, MapOfMapsHandle, RingBufHandle,
  PerfEventArrayHandle, createMap, type BatchOptions, type HasFd, type InputOf, type MapHandleInfo, type MapKey, type MapValue,
} from "./maps/index.js";
export { Program, type AttachOptions, type ProgramInfo, type TestRunInput, type TestRunOutput } from "./program/index.js";
export {
  Link, attachTracepoint, attachRawTracepoint, attachXdp, attachUprobe, attachKprobe, attachTc, attachCgroup, attachSocketFilter,
  attachPerfEvent, attachTracing, resolveUprobe, attachUsdt, usdtSites, readUsdtProbes,
  type UsdtAttachOptions, type UsdtProbe, type UsdtArg,
  type LinkKind, type XdpAttachOptions, type XdpMode, type UprobeAttachOptions, type KprobeAttachOptions, type TcAttachOptions,
  type TcDirection, type TcMode, type CgroupAttachOptions, type SocketLike, type PerfEventAttachOptions,
  openPacketSocket, PacketSocket,
} from "./link/index.js";
export { openPinned, pinFd, unpin, ensureBpffs, type PinnedObject } from "./pin/index.js";
export { encodeSkbContext, decodeSkbContext, type SkbContext, type SkbContextOut } from "./program/index.js";
export { KfuncNotFoundError, KfuncMismatchError } from "./reloc/kfunc.js";

export type LoadOptions = Omit<SpecLoadOptions, "decls">;

type RunTimeCompile = (t: BpfTemplate) => Promise<{ elf: Uint8Array; maps: Record<string, MapDecl> }>;

// A variable specifier keeps bundlers and tsc from pulling the compiler into apps that only
// load prebuilt objects; it is imported only when a template was not compiled at build time.
const RUNTIME_COMPILE_MODULE = "../transformer/runtime-compile.js";

async function compileLazily(t: BpfTemplate): Promise<{ elf: Uint8Array; maps: Record<string, MapDecl> }> {
  let mod: { compileAtRunTime?: RunTimeCompile };
  try {
    mod = (await import(RUNTIME_COMPILE_MODULE)) as { compileAtRunTime?: RunTimeCompile };
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
    throw new WhistlerError(`this bpf template was not compiled at build time (the transformer is not configured) and the run-time compiler could not be loaded${why ? ` (${why})` : ""}`, {
      cause: e,
      hint: "add the whistler-ts transformer to tsconfig.json (compilerOptions.plugins) and build with tspc, or install whistler-ts with its compiler",
    });
  }
  if (typeof mod.compileAtRunTime !== "function") {
    throw new WhistlerError("the transformer is not configured: the run-time compiler has no compileAtRunTime()");
  }
  return mod.compileAtRunTime(t);
}

/**
 * Load an object: create its maps, load its programs (the verifier's log is in the error if
 * it refuses), and return a `BpfObject` to attach programs and read maps. Dispose it (or
 * `await using`) to detach and close everything.
 */
export async function load<P extends string, M extends TemplateMaps>(source: BpfTemplate<P, M>, opts?: LoadOptions): Promise<BpfObject<P, M>>;
export async function load(source: BpfTemplate | Uint8Array | string, opts?: LoadOptions): Promise<BpfObject>;
export async function load(source: BpfTemplate | Uint8Array | string, opts: LoadOptions = {}): Promise<BpfObject> {
  let elf: Uint8Array;
  let decls: Readonly<Record<string, MapDecl>> | undefined;
  if (source instanceof BpfTemplate) {
    const bytes = source.elfBytes();
    if (bytes && source.compiled) {
      elf = bytes;
      decls = source.compiled.maps;
    } else {
      const compiled = await compileLazily(source);
      elf = compiled.elf;
      decls = compiled.maps;
    }
  } else if (source instanceof Uint8Array) {
    elf = source;
  } else if (typeof source === "string") {
    try {
      elf = new Uint8Array(await readFile(source));
    } catch (e) {
      throw new WhistlerError(`cannot read object file ${source}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
  } else {
    throw new WhistlerError("load() takes a bpf template, ELF bytes (Uint8Array) or an ELF file path");
  }
  return loadSpec(parseObject(elf), { ...opts, decls });
}
