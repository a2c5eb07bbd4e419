/**
 * Context kinds: the ctx parameter's type decides the program type, the ELF section, the
 * readable fields and (through `helpers.ts`) which helpers may be called.
 *
 * One row per kind in `CTX_KINDS`; a new program type is a new row plus its `ProgType`.
 */
import type { ScalarName } from "../../runtime/types.js";

/** Kernel program types we compile for (named after BPF_PROG_TYPE_*). */
export type ProgType = "tracepoint" | "xdp";

/** A field of the context struct, read with one load of `size` bytes at `offset`. */
export interface CtxField {
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
  /** Scalar fields read as that type; `pkt`/`pkt_end` are packet pointers (the verifier
   * rewrites the 32-bit load into a real pointer). */
  readonly type: ScalarName | "pkt" | "pkt_end";
}

/** The BTF view of the ctx parameter: `void *` or a pointer to a named struct. */
export type CtxBtf =
  | { readonly kind: "void" }
  | { readonly kind: "struct"; readonly name: string; readonly size: number; readonly fields: readonly { readonly name: string; readonly offset: number; readonly type: ScalarName }[] };

export interface CtxKindDef {
  readonly progType: ProgType;
  /** Number of string type arguments, e.g. 1 for `Tracepoint<"group/name">`. */
  readonly typeArgs: number;
  /** Describes the expected type arguments for messages. */
  readonly usage: string;
  /** Validates type arguments; returns an error message or undefined. */
  readonly checkArgs: (args: readonly string[]) => string | undefined;
  readonly section: (args: readonly string[]) => string;
  readonly fields: Readonly<Record<string, CtxField>>;
  readonly btf: CtxBtf;
}

const XDP_FIELDS: Readonly<Record<string, CtxField>> = {
  data: { offset: 0, size: 4, type: "pkt" },
  data_end: { offset: 4, size: 4, type: "pkt_end" },
  ingress_ifindex: { offset: 12, size: 4, type: "u32" },
  rx_queue_index: { offset: 16, size: 4, type: "u32" },
  egress_ifindex: { offset: 20, size: 4, type: "u32" },
};

export const CTX_KINDS: Readonly<Record<string, CtxKindDef>> = {
  Tracepoint: {
    progType: "tracepoint",
    typeArgs: 1,
    usage: 'Tracepoint<"group/name">, e.g. Tracepoint<"syscalls/sys_enter_openat">',
    checkArgs: (args) => (/^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(args[0] ?? "") ? undefined : `tracepoint '${args[0]}' must be "group/name", e.g. "syscalls/sys_enter_openat"`),
    section: (args) => `tracepoint/${args[0]}`,
    // Tracepoint record fields come from tracefs formats in a later version.
    fields: {},
    btf: { kind: "void" },
  },
  Xdp: {
    progType: "xdp",
    typeArgs: 0,
    usage: "Xdp",
    checkArgs: () => undefined,
    section: () => "xdp",
    fields: XDP_FIELDS,
    btf: {
      kind: "struct",
      name: "xdp_md",
      size: 24,
      fields: [
        { name: "data", offset: 0, type: "u32" },
        { name: "data_end", offset: 4, type: "u32" },
        { name: "data_meta", offset: 8, type: "u32" },
        { name: "ingress_ifindex", offset: 12, type: "u32" },
        { name: "rx_queue_index", offset: 16, type: "u32" },
        { name: "egress_ifindex", offset: 20, type: "u32" },
      ],
    },
  },
};

export function ctxKindNames(): string[] {
  return Object.keys(CTX_KINDS);
}
