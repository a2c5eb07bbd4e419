/**
 * loader/object: from ELF bytes to a loaded object. `parseObject` is pure (an ObjectSpec);
 * `loadSpec` makes the kernel objects, closing everything on failure; `BpfObject` owns them.
 */
export { parseObject, type GlobalVariable, type MapRelocation, type MapSpec, type ObjectSpec, type ProgramSpec } from "./spec.js";
export { loadSpec, type LoadOptions } from "./load.js";
export { globalVariables, withGlobals, type GlobalValue } from "./globals.js";
export { BpfObject, type AttachAllOptions, type HandleFor } from "./bpf-object.js";
export { sectionDef, ProgType, KNOWN_SECTIONS, type AttachTarget, type ProgTypeName, type SectionDef } from "./sections.js";
