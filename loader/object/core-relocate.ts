/**
 * CO-RE at load time: the target BTF (the running kernel's /sys/kernel/btf/vmlinux unless the
 * caller gives one, with its modules' BTF for types vmlinux lacks), its candidate index built
 * once per target and cached, and each program's instructions patched from its CO-RE records
 * before map references are patched.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { Btf } from "../btf/index.js";
import { vmlinuxBtf, VMLINUX_BTF } from "../link/vmlinux-btf.js";
import { applyCoreRelocations, CoreCandidates, describeCoreRelo, type PlacedCoreResult } from "../reloc/index.js";
import type { ProgramSpec } from "./spec.js";

/** A target kernel's BTF: parsed, raw bytes, or a file path (e.g. a btfhub file). */
export type TargetBtf = Btf | Uint8Array | string;

let kernelCandidates: CoreCandidates | undefined;
const byBtf = new WeakMap<Btf, CoreCandidates>();
const byBytes = new WeakMap<Uint8Array, CoreCandidates>();

function kernelTarget(): CoreCandidates {
  if (kernelCandidates) return kernelCandidates;
  let btf: Btf;
  try {
    btf = vmlinuxBtf();
  } catch (e) {
    if (!(e instanceof NotSupportedError)) throw e;
    throw new NotSupportedError(`CO-RE relocations need the target kernel's BTF, and ${e.message}`, {
      cause: e, hint: "pass the kernel's BTF with load(obj, { targetBtf: \"/path/to/vmlinux.btf\" }) (e.g. from btfhub), or use a kernel built with CONFIG_DEBUG_INFO_BTF=y",
    });
  }
  return (kernelCandidates = new CoreCandidates(btf, lazyModules(KERNEL_BTF_DIR, btf)));
}

export const KERNEL_BTF_DIR = "/sys/kernel/btf";

/**
 * Candidate indexes of every module BTF in `dir` (each file but vmlinux: split BTF on `base`),
 * read on the first call and kept. A module whose BTF does not parse is left out, as libbpf
 * skips it: one broken module must not fail loads that never needed it.
 */
export function lazyModules(dir: string, base: Btf): () => readonly CoreCandidates[] {
  let mods: CoreCandidates[] | undefined;
  return () => {
    if (mods) return mods;
    mods = [];
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n !== "vmlinux").sort();
    } catch {
      return mods;
    }
    for (const name of names) {
      try {
        mods.push(new CoreCandidates(Btf.parse(new Uint8Array(readFileSync(join(dir, name))), `${dir}/${name}`, base)));
      } catch {
        // unreadable or malformed: not a candidate source
      }
    }
    return mods;
  };
}

/** The candidate index for `target` (default: this kernel), built once per target. */
export function coreTarget(target?: TargetBtf): CoreCandidates {
  if (target === undefined || target === VMLINUX_BTF) return kernelTarget();
  if (target instanceof Btf) {
    let c = byBtf.get(target);
    if (!c) byBtf.set(target, (c = new CoreCandidates(target)));
    return c;
  }
  if (target instanceof Uint8Array) {
    let c = byBytes.get(target);
    if (!c) byBytes.set(target, (c = new CoreCandidates(Btf.parse(target, "target BTF"))));
    return c;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(target));
  } catch (e) {
    throw new WhistlerError(`cannot read the target BTF ${target} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      cause: e, hint: "LoadOptions.targetBtf takes a raw BTF file (as /sys/kernel/btf/vmlinux or btfhub's .btf files), its bytes, or a parsed Btf",
    });
  }
  return new CoreCandidates(Btf.parse(bytes, target));
}

export interface CoreRelocated {
  readonly insns: Uint8Array;
  /** Every relocation applied, with the instruction it patched. */
  readonly results: readonly PlacedCoreResult[];
}

/** The program's instructions with its CO-RE records applied (unchanged when it has none). */
export function relocateCore(p: ProgramSpec, local: Btf | undefined, target: () => CoreCandidates): CoreRelocated {
  if (p.coreRelos.length === 0) return { insns: p.insns, results: [] };
  if (!local) throw new WhistlerError(`program "${p.name}" has CO-RE relocations but the object has no BTF`);
  const { insns, results } = applyCoreRelocations(p.insns, p.coreRelos, local, target(), p.name);
  return {
    insns,
    results: results.map((r, i) => ({ ...r, insn: p.coreRelos[i]!.insn, what: describeCoreRelo(local, r.relo) })),
  };
}
