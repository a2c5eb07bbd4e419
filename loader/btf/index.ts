/**
 * loader/btf: a pure, bounds-checked BTF reader (every kind, type-id lookups safe against
 * cycles) and the fix-ups an object's BTF needs before the kernel accepts it. No syscalls.
 */
export { Btf, type BtfHeader, type BtfScalarInfo } from "./reader.js";
export { fixupDatasecs, type DatasecFacts } from "./fixup.js";
export { parseBtfExt, type BtfExt, type FuncInfoRecord, type LineInfoRecord } from "./ext.js";
export { sanitizeBtf, ALL_BTF_FEATURES, type BtfFeatures } from "./sanitize.js";
export * from "./types.js";
