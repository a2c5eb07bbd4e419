/**
 * Which BTF kinds this kernel accepts, found the way libbpf does: load a tiny BTF blob that
 * uses the kind and see whether BPF_BTF_LOAD takes it. Probed once per process and cached;
 * the answers drive sanitizeBtf (loader/btf/sanitize.ts).
 */
import { BpfError } from "../../runtime/errors.js";
import { btfLoad, EPERM } from "../../runtime/sys/index.js";
import { ALL_BTF_FEATURES, BtfKind, type BtfFeatures } from "../btf/index.js";

const info = (kind: number, vlen = 0, kflag = false): number => ((kflag ? 1 : 0) << 31 | (kind << 24) | vlen) >>> 0;

/** A BTF blob of `types` (u32 words) and `strings` ("\0"-separated, leading "\0" added). */
export function btfBlob(types: readonly number[], strings: string): Uint8Array {
  const str = new TextEncoder().encode(`\0${strings}`);
  const typeLen = types.length * 4;
  const out = new Uint8Array(24 + typeLen + str.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  v.setUint8(2, 1);
  v.setUint32(4, 24, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, typeLen, true);
  v.setUint32(16, typeLen, true);
  v.setUint32(20, str.length, true);
  types.forEach((w, i) => v.setUint32(24 + i * 4, w, true));
  out.set(str, 24 + typeLen);
  return out;
}

// String offsets in the probe blobs: "\0int\0a\0.data\0f\0tag\0e\0".
const S_INT = 1;
const S_A = 5;
const S_DATA = 7;
const S_F = 13;
const S_TAG = 15;
const S_E = 19;
const STRINGS = "int\0a\0.data\0f\0tag\0e\0";
/** [1] int: 4 bytes, signed, 32 bits. */
const INT = [S_INT, info(BtfKind.INT), 4, (1 << 24) | 32];

export const BTF_PROBES: Readonly<Record<keyof BtfFeatures, Uint8Array>> = {
  // [2] FUNC_PROTO int(void), [3] FUNC "f" static
  func: btfBlob([...INT, 0, info(BtfKind.FUNC_PROTO), 1, S_F, info(BtfKind.FUNC, 0), 2], STRINGS),
  // [3] FUNC "f" global
  funcGlobal: btfBlob([...INT, 0, info(BtfKind.FUNC_PROTO), 1, S_F, info(BtfKind.FUNC, 1), 2], STRINGS),
  // [2] VAR "a" int static, [3] DATASEC ".data" {a at 0, 4 bytes}
  datasec: btfBlob([...INT, S_A, info(BtfKind.VAR), 1, 0, S_DATA, info(BtfKind.DATASEC, 1), 4, 2, 0, 4], STRINGS),
  // [2] FLOAT "f" 4 bytes
  float: btfBlob([...INT, S_F, info(BtfKind.FLOAT), 4], STRINGS),
  // [2] VAR "a", [3] DECL_TAG "tag" on it
  declTag: btfBlob([...INT, S_A, info(BtfKind.VAR), 1, 0, S_TAG, info(BtfKind.DECL_TAG), 2, 0xffffffff], STRINGS),
  // [2] TYPE_TAG "tag" -> int, [3] PTR -> [2]
  typeTag: btfBlob([...INT, S_TAG, info(BtfKind.TYPE_TAG), 1, 0, info(BtfKind.PTR), 2], STRINGS),
  // [2] ENUM64 "e" 8 bytes {a = 1}
  enum64: btfBlob([...INT, S_E, info(BtfKind.ENUM64, 1), 8, S_A, 1, 0], STRINGS),
};

function accepts(blob: Uint8Array): boolean {
  try {
    btfLoad(blob).close();
    return true;
  } catch (e) {
    // Without the privilege to load BTF at all, there is nothing to sanitize for.
    if (e instanceof BpfError && e.errno === EPERM) throw e;
    return false;
  }
}

let cached: BtfFeatures | undefined;

/** The BTF kinds this kernel accepts (probed on first use). */
export function btfFeatures(): BtfFeatures {
  if (cached) return cached;
  const probed = { ...ALL_BTF_FEATURES };
  for (const k of Object.keys(BTF_PROBES) as (keyof BtfFeatures)[]) probed[k] = accepts(BTF_PROBES[k]);
  cached = probed;
  return probed;
}
