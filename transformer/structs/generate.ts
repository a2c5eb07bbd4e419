/** One entry for every foreign-language generator. */
import type { StructLayout } from "../../runtime/struct/layout.js";
import { generateC } from "./gen-c.js";
import { generateGo } from "./gen-go.js";
import { generatePython } from "./gen-python.js";
import { generateRust } from "./gen-rust.js";

export function generate(lang: "c" | "go" | "rust" | "python", structs: readonly StructLayout[], source: string, opts: { goPackage?: string } = {}): string {
  switch (lang) {
    case "c": return generateC(structs, source);
    case "go": return generateGo(structs, source, opts.goPackage);
    case "rust": return generateRust(structs, source);
    case "python": return generatePython(structs, source);
    default: { const never: never = lang; return never; }
  }
}
