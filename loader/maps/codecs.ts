/**
 * Choosing codecs for a map's keys and values: from the template's `MapDecl` when there is
 * one (exact types), else from the object's BTF (integers: size and signedness), else raw
 * bytes of the map's key/value size.
 */
import { bytesCodec, intCodec, scalarCodec, type Codec } from "../../runtime/codec.js";
import { CodecError } from "../../runtime/codec.js";
import type { ScalarType } from "../../runtime/types.js";
import type { BtfScalarInfo } from "../btf/index.js";

/** What a map handle reads and writes when nothing more precise is known. */
export type MapScalar = number | bigint | boolean | Uint8Array;

export function codecFor(size: number, decl: ScalarType | undefined, btf: BtfScalarInfo | undefined, what: string): Codec<MapScalar> {
  if (decl) {
    if (decl.size !== size) throw new CodecError(`${what}: declared as ${decl.name} (${decl.size} bytes) but the map's ${size}`);
    return scalarCodec(decl) as Codec<MapScalar>;
  }
  if (btf && btf.size === size) return intCodec(btf.size, btf.signed, btf.bool) as Codec<MapScalar>;
  return bytesCodec(size) as Codec<MapScalar>;
}
