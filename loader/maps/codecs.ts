/**
 * Choosing codecs for a map's keys and values: from the template's `MapDecl` when there is
 * one (exact types), else from the object's BTF (integers: size and signedness), else raw
 * bytes of the map's key/value size.
 */
import { bytesCodec, intCodec, scalarCodec, type Codec } from "../../runtime/codec.js";
import { CodecError } from "../../runtime/codec.js";
import { isScalarType, type ElemType } from "../../runtime/map-decl.js";
import type { BtfScalarInfo } from "../btf/index.js";

/** What a map handle reads and writes when nothing more precise is known. */
export type MapScalar = number | bigint | boolean | Uint8Array;

export function codecFor(size: number, decl: ElemType | undefined, btf: BtfScalarInfo | undefined, what: string): Codec<MapScalar> {
  if (decl) {
    const shown = isScalarType(decl) ? decl.name : "a codec";
    if (decl.size !== size) throw new CodecError(`${what}: declared as ${shown} (${decl.size} bytes) but the map's is ${size} bytes`);
    return (isScalarType(decl) ? scalarCodec(decl) : decl) as Codec<MapScalar>;
  }
  if (btf && btf.size === size) return intCodec(btf.size, btf.signed, btf.bool) as Codec<MapScalar>;
  return bytesCodec(size) as Codec<MapScalar>;
}
