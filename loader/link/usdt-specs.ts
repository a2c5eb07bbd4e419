/**
 * An object's USDT spec table: which entries of its spec map attached probes use. Attaching
 * writes each distinct argument placement once and gets its index, the cookie of the uprobes
 * at those sites; detaching frees the indexes again.
 *
 * Two layouts of the table exist: ours (`__usdt_specs`, runtime/usdt-spec.ts, what our
 * compiler reads) and libbpf's (`__bpf_usdt_specs`, what clang-built programs using
 * `<bpf/usdt.bpf.h>` read), so either kind of object attaches the same way.
 *
 * The table borrows the map's fd from its object: once the object is closed, freeing is a
 * no-op and adding fails with the object's own "disposed" story.
 */
import { AttachError, NotSupportedError, WhistlerError } from "../../runtime/errors.js";
import { mapUpdateElem, type Fd } from "../../runtime/sys/index.js";
import { encodeUsdtSpec, USDT_MAX_ARGS, USDT_MAX_SPECS, USDT_SPEC_LAYOUT, USDT_SPECS_MAP, type UsdtArgPlacement } from "../../runtime/usdt-spec.js";

const BPF_ANY = 0;

/** libbpf's table (usdt.bpf.h): `struct __bpf_usdt_spec` values in an array map. */
export const LIBBPF_USDT_SPECS_MAP = "__bpf_usdt_specs";

/**
 * libbpf's `struct __bpf_usdt_spec` (libbpf 1.x): 12 x { u64 val_off; enum arg_type (CONST,
 * REG, REG_DEREF); short reg_off; bool arg_signed; char arg_bitshift; }, u64 usdt_cookie,
 * short arg_cnt: 208 bytes.
 */
const LIBBPF_SPEC_SIZE = 208;
const LIBBPF_ARG_SIZE = 16;
const LIBBPF_ARG_TYPE = { const: 0, reg: 1, reg_deref: 2 } as const;

function encodeLibbpfUsdtSpec(args: readonly UsdtArgPlacement[]): Uint8Array {
  const bytes = new Uint8Array(LIBBPF_SPEC_SIZE);
  const v = new DataView(bytes.buffer);
  args.slice(0, USDT_MAX_ARGS).forEach((a, i) => {
    const at = i * LIBBPF_ARG_SIZE;
    v.setBigUint64(at, BigInt.asUintN(64, a.value), true);
    v.setUint32(at + 8, LIBBPF_ARG_TYPE[a.kind], true);
    v.setInt16(at + 12, a.regOffset, true);
    v.setUint8(at + 14, a.signed ? 1 : 0);
    v.setUint8(at + 15, 64 - 8 * a.size);
  });
  v.setInt16(USDT_MAX_ARGS * LIBBPF_ARG_SIZE + 8, Math.min(args.length, USDT_MAX_ARGS), true);
  return bytes;
}

export interface UsdtSpecLayout {
  /** The spec map's name in the object. */
  readonly map: string;
  /** Bytes of one spec: the map's value size must be this. */
  readonly size: number;
  readonly encode: (args: readonly UsdtArgPlacement[]) => Uint8Array;
}

export const USDT_LAYOUTS: readonly UsdtSpecLayout[] = [
  { map: USDT_SPECS_MAP, size: USDT_SPEC_LAYOUT.size, encode: encodeUsdtSpec },
  { map: LIBBPF_USDT_SPECS_MAP, size: LIBBPF_SPEC_SIZE, encode: encodeLibbpfUsdtSpec },
];

/**
 * Maps that only serve USDT argument lookup (the spec tables, and libbpf's table by
 * instruction address for kernels without cookies, which stays empty here): bookkeeping that
 * tools showing an object's data leave out.
 */
export const USDT_BOOKKEEPING_MAPS: ReadonlySet<string> = new Set([...USDT_LAYOUTS.map((l) => l.map), "__bpf_usdt_ip_to_spec_id"]);

export class UsdtSpecTable {
  readonly #fd: Fd;
  readonly #layout: UsdtSpecLayout;
  readonly #valueSize: number;
  readonly #used = new Set<number>();

  /** `valueSize` is the map's: a table of another size (another libbpf) is refused on use. */
  constructor(fd: Fd, layout: UsdtSpecLayout, valueSize: number) {
    this.#fd = fd;
    this.#layout = layout;
    this.#valueSize = valueSize;
  }

  /** Writes the spec for `args` at the lowest free index and returns that index. */
  add(program: string, args: readonly UsdtArgPlacement[]): number {
    if (this.#fd.closed) throw new WhistlerError("the object was disposed", { hint: "keep it alive while you attach its programs" });
    if (this.#valueSize !== this.#layout.size) {
      throw new NotSupportedError(`the object's ${this.#layout.map} map holds ${this.#valueSize}-byte specs; the layout known here has ${this.#layout.size}`, {
        hint: "build the program with libbpf 1.x's usdt.bpf.h, or write it as a template (Usdt<...>)",
      });
    }
    let id = 0;
    while (this.#used.has(id)) id++;
    if (id >= USDT_MAX_SPECS) {
      throw new AttachError(program, `the object's ${this.#layout.map} table is full: ${USDT_MAX_SPECS} distinct USDT argument placements are attached`, {
        hint: "detach USDT links the program no longer needs (each distinct placement of a probe's arguments takes one entry)",
      });
    }
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, id, true);
    mapUpdateElem(this.#fd.raw, key, this.#layout.encode(args), BPF_ANY, { what: `map "${this.#layout.map}": write USDT spec ${id}` });
    this.#used.add(id);
    return id;
  }

  /** Frees indexes `add` returned (their uprobes are gone). */
  release(ids: Iterable<number>): void {
    for (const id of ids) this.#used.delete(id);
  }
}
