/**
 * What `whistler run` loads: the exported templates of a TypeScript file, compiled the same
 * way as `whistler build` (transformer/plugin/build-file.ts), or one prebuilt ELF object.
 * Each comes with the record layouts its ring buffers are known to carry.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { WhistlerError } from "../../runtime/errors.js";
import type { StructLayout } from "../../runtime/struct/layout.js";

export interface RunSource {
  /** The export name, or the object file's base name. */
  readonly name: string;
  readonly elf: Uint8Array;
  /**
   * The struct each ring buffer's records decode with, by map name. A template that
   * interpolates exactly one struct decodes all its ring buffers with it; otherwise (and for
   * prebuilt objects) records print as hex.
   */
  readonly recordLayouts: ReadonlyMap<string, StructLayout>;
}

export interface CompileFailure {
  readonly messages: readonly string[];
}

/** The sources in FILE, or the compiler's messages when it has errors. */
export async function runSources(file: string): Promise<RunSource[] | CompileFailure> {
  if (/\.(o|elf)$/.test(file)) {
    let elf: Uint8Array;
    try {
      elf = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new WhistlerError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e, hint: "pass a .ts file with exported bpf templates, or a .bpf.o object" });
    }
    return [{ name: path.basename(file).replace(/(\.bpf)?\.(o|elf)$/, ""), elf, recordLayouts: new Map() }];
  }
  // The compiler and `typescript` load only when a .ts file is given.
  const { buildFile } = await import("../../transformer/plugin/build-file.js");
  const build = buildFile(file);
  if (build.errorCount > 0) return { messages: build.messages };
  for (const m of build.messages) process.stderr.write(m + "\n");
  const out: RunSource[] = [];
  for (const t of build.templates) {
    if (t.exportName === undefined || !t.result.elf) continue;
    const structs = t.source.slots.flatMap((s) => (s.value.kind === "struct" ? [s.value] : []));
    const ringbufs = t.source.slots.flatMap((s) => (s.value.kind === "map" && s.value.map.kind === "ringbuf" ? [s.value.name] : []));
    const only = structs.length === 1 ? structs[0] : undefined;
    out.push({ name: t.exportName, elf: t.result.elf, recordLayouts: new Map(only ? ringbufs.map((n) => [n, only] as const) : []) });
  }
  if (out.length === 0) {
    throw new WhistlerError(`${file}: no exported bpf templates`, { hint: "write `export const name = bpf`...`` in the file" });
  }
  return out;
}
