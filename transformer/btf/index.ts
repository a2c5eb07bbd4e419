/**
 * BTF (BPF Type Format) output: `writer.ts` encodes types and strings, `object.ts` lays
 * out the types of one object file (maps, programs, license) the way clang does.
 */
export { BtfWriter, BTF_KIND } from "./writer.js";
export { buildObjectBtf, C_SCALARS, mapDefSize, type BtfFunction, type BtfMap, type BtfProgram, type LineRecord, type ObjectBtf } from "./object.js";
export { encodeBtfExt, type ExtSection, type FuncInfoRecord, type LineInfoRecord } from "./ext.js";
