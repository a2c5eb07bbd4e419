/** BTF type records as the reader returns them (see the kernel's Documentation/bpf/btf.rst). */

import { BTF_KIND } from "../../runtime/btf-format.js";

export { BTF_MAGIC } from "../../runtime/btf-format.js";

export const BtfKind = BTF_KIND;
export type BtfKindName = keyof typeof BtfKind;

export { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED } from "../../runtime/btf-format.js";

interface Base {
  readonly id: number;
  /** Byte offset of the record in the type section (for fix-ups and messages). */
  readonly offset: number;
  readonly name: string;
}

export interface BtfVoid extends Base { readonly kind: "VOID" }
export interface BtfInt extends Base {
  readonly kind: "INT";
  readonly size: number;
  readonly encoding: number;
  readonly bitOffset: number;
  readonly bits: number;
}
/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name (maybe empty) and a target. */
export interface BtfRef extends Base {
  readonly kind: "PTR" | "TYPEDEF" | "VOLATILE" | "CONST" | "RESTRICT" | "TYPE_TAG";
  readonly type: number;
}
export interface BtfArray extends Base {
  readonly kind: "ARRAY";
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}
export interface BtfMember {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  /** Bitfield size in bits; 0 when not a bitfield. */
  readonly bitfieldSize: number;
}
export interface BtfComposite extends Base {
  readonly kind: "STRUCT" | "UNION";
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export interface BtfEnumValue {
  readonly name: string;
  readonly value: bigint;
}
export interface BtfEnum extends Base {
  readonly kind: "ENUM" | "ENUM64";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}
export interface BtfFwd extends Base {
  readonly kind: "FWD";
  readonly union: boolean;
}
export interface BtfFunc extends Base {
  readonly kind: "FUNC";
  readonly type: number;
  /** 0 static, 1 global, 2 extern. */
  readonly linkage: number;
}
export interface BtfParam {
  readonly name: string;
  readonly type: number;
}
export interface BtfFuncProto extends Base {
  readonly kind: "FUNC_PROTO";
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}
export interface BtfVar extends Base {
  readonly kind: "VAR";
  readonly type: number;
  readonly linkage: number;
}
export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}
export interface BtfDatasec extends Base {
  readonly kind: "DATASEC";
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}
export interface BtfFloat extends Base {
  readonly kind: "FLOAT";
  readonly size: number;
}
export interface BtfDeclTag extends Base {
  readonly kind: "DECL_TAG";
  readonly type: number;
  /** -1 for the declaration itself, else a member/parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfRef | BtfArray | BtfComposite | BtfEnum | BtfFwd | BtfFunc
  | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;
