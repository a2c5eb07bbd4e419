/**
 * CO-RE relocations in words: the C spelling of what a record accesses (`struct
 * task_struct.real_parent`, `enum bpf_func_id::BPF_FUNC_ringbuf_output`), and the verifier
 * hint for a program that reached an instruction poisoned because the target kernel lacks
 * what the record names. Pure.
 */
import type { Btf, BtfType } from "../btf/index.js";
import type { CoreRelo } from "./core-ext.js";
import { CoreReloKind, POISON_HELPER, type CoreResult } from "./core.js";

function spell(t: BtfType): string {
  switch (t.kind) {
    case "STRUCT": return `struct ${t.name || "(anon)"}`;
    case "UNION": return `union ${t.name || "(anon)"}`;
    case "ENUM": case "ENUM64": return `enum ${t.name || "(anon)"}`;
    case "FWD": return `${t.union ? "union" : "struct"} ${t.name}`;
    default: return t.name || t.kind.toLowerCase();
  }
}

function unwrap(btf: Btf, id: number): BtfType {
  try {
    return btf.resolve(id);
  } catch {
    return btf.type(id);
  }
}

/** `struct task_struct.real_parent`, `struct s[1].arr[2].x`, `enum e::A`, `struct task_struct`. */
export function describeCoreRelo(local: Btf, relo: CoreRelo): string {
  let root: BtfType;
  try {
    root = unwrap(local, relo.typeId);
  } catch {
    return `type #${relo.typeId} "${relo.access}"`;
  }
  const idxs = relo.access.split(":").map(Number);
  if (relo.kind === CoreReloKind.ENUMVAL_EXISTS || relo.kind === CoreReloKind.ENUMVAL_VALUE) {
    const v = root.kind === "ENUM" || root.kind === "ENUM64" ? root.values[idxs[0] ?? -1] : undefined;
    return `${spell(root)}::${v?.name ?? `#${relo.access}`}`;
  }
  if (relo.kind >= CoreReloKind.TYPE_ID_LOCAL) return spell(root);
  let out = spell(root) + (idxs[0] ? `[${idxs[0]}]` : "");
  let t = root;
  for (const idx of idxs.slice(1)) {
    if (t.kind === "STRUCT" || t.kind === "UNION") {
      const m = t.members[idx];
      if (!m) return `${out} (member #${idx}?)`;
      if (m.name) out += `.${m.name}`;
      t = unwrap(local, m.type);
    } else if (t.kind === "ARRAY") {
      out += `[${idx}]`;
      t = unwrap(local, t.type);
    } else {
      return `${out} ("${relo.access}")`;
    }
  }
  return out;
}

/** A resolved relocation with the linked instruction it patched. */
export interface PlacedCoreResult extends CoreResult {
  readonly insn: number;
  /** `describeCoreRelo` of the record. */
  readonly what: string;
}

/**
 * The hint for a verifier log that rejects a poisoned call: which relocation failed at the
 * failing instruction (or every poisoned one, when the log names no instruction).
 */
export function coreVerifierHint(log: string, insn: number | undefined, poisoned: readonly PlacedCoreResult[]): string | undefined {
  if (poisoned.length === 0 || !new RegExp(`unknown#${POISON_HELPER}\\b|${POISON_HELPER.toString(16)}`).test(log)) return undefined;
  const at = poisoned.filter((p) => p.insn === insn || p.insn + 1 === insn);
  const named = (at.length ? at : poisoned).map((p) => {
    const which = `${p.kindName} of ${p.what} (access "${p.relo.access}", instruction ${p.insn})`;
    return p.sizeChangeUnsafe ? `${which}, whose field changed size from ${p.localSize} to ${p.targetSize} bytes (only unsigned integers and pointers can be read at a new size)` : which;
  });
  return `CO-RE relocation failed: the target kernel's BTF has no usable match for ${named.join("; ")}, so the instruction was poisoned ` +
    `(call ${POISON_HELPER.toString(16)}) and this path reaches it. Guard the access with bpf_core_field_exists()/bpf_core_type_exists() ` +
    "(or a ___flavor struct for the kernels that differ), or load against the BTF of a kernel that has it (LoadOptions.targetBtf)";
}
