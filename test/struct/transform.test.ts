// The transformer replaces every defstruct(...) with a compiled class; that class and the one
// built at run time must lay out, encode, decode and view every struct of the corpus alike.
import { describe, expect, test, afterAll, beforeAll } from "@jest/globals";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import type * as TS from "typescript";
import { structReplacements } from "../../transformer/structs/plugin.js";
import { toTsDiagnostic } from "../../transformer/plugin/diagnostics.js";
import type { StructClass } from "../../runtime/struct/defstruct.js";
import * as runtimeCorpus from "./corpus.js";
import { randomStruct, rng } from "./values.js";

const root = path.resolve(import.meta.dirname, "../..");
// Inside the repository (ignored by git) so the emitted modules resolve node_modules.
const outDir = path.join(root, "tmp", `struct-transform-${process.pid}`);
let compiled: Record<string, StructClass>;
let emitted = "";
const diagnostics: TS.Diagnostic[] = [];

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(root, "test/struct/corpus.ts");
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, skipLibCheck: true, rootDir: root, outDir, types: ["node"], lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
  });
  // The struct half of the plugin (transformer/plugin/transformer.ts runs the same replacements).
  const t = ts as unknown as typeof TS;
  const checker = program.getTypeChecker() as unknown as TS.TypeChecker;
  const before: TS.TransformerFactory<TS.SourceFile> = (context) => (sf) => {
    const structs = structReplacements(t, checker, sf, (d) => diagnostics.push(toTsDiagnostic(t, sf, d)));
    const visit = (node: TS.Node): TS.Node => structs.get(node) ?? t.visitEachChild(node, visit, context);
    return t.visitEachChild(sf, visit, context);
  };
  program.emit(undefined, undefined, undefined, false, { before: [before as unknown as ts.TransformerFactory<ts.SourceFile>] });
  emitted = readFileSync(path.join(outDir, "test/struct/corpus.js"), "utf8");
  compiled = (await import(path.join(outDir, "test/struct/corpus.js"))) as Record<string, StructClass>;
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const names = Object.keys(runtimeCorpus) as (keyof typeof runtimeCorpus)[];

describe("transformed defstruct", () => {
  test("every call is replaced by a compiled class with literal offsets", () => {
    expect(diagnostics.map((d) => d.messageText)).toEqual([]);
    expect(emitted.match(/defstruct\.compiled\(/g)?.length).toBe(names.length);
    expect(emitted).not.toMatch(/defstruct\("/);
    expect(emitted).toContain("getBigUint64(this.$offset + 8, true)");
  });

  test.each(names)("%s behaves like the run-time class", (name) => {
    const a = runtimeCorpus[name] as unknown as StructClass;
    const b = compiled[name]!;
    expect(b.layout).toEqual(a.layout);
    expect([b.size, b.align, b.structName, b.name]).toEqual([a.size, a.align, a.structName, a.name]);
    for (const f of a.layout.fields) expect(b.offsetOf(f.name)).toBe(a.offsetOf(f.name));
    const r = rng(name.length * 7919);
    for (let i = 0; i < 25; i++) {
      const value = randomStruct(a.layout, r);
      const ba = a.bytes(value as never);
      const bb = b.bytes(value as never);
      expect(Buffer.from(bb).equals(Buffer.from(ba))).toBe(true);
      // Decode random bytes (not only encoded ones): padding, NULs and every bit pattern.
      const noise = new Uint8Array(a.size + 3).map(() => Math.floor(r() * 256));
      const nv = new DataView(noise.buffer);
      let da: unknown, db: unknown, ea: unknown, eb: unknown;
      try { da = a.decode(nv, 3); } catch (e) { ea = (e as Error).message; }
      try { db = b.decode(nv, 3); } catch (e) { eb = (e as Error).message; }
      expect(db).toEqual(da);
      expect(eb).toEqual(ea);
      const va = a.view(new DataView(ba.buffer)) as unknown as Record<string, unknown>;
      const vb = b.view(new DataView(bb.buffer)) as unknown as Record<string, unknown>;
      for (const f of a.layout.fields) {
        const x = va[f.name], y = vb[f.name];
        expect(x !== null && typeof x === "object" && "toObject" in x ? (x as { toObject(): unknown }).toObject() : x)
          .toEqual(y !== null && typeof y === "object" && "toObject" in y ? (y as { toObject(): unknown }).toObject() : y);
      }
    }
    const bad = { ...randomStruct(a.layout, r), [a.layout.fields[0]!.name]: undefined };
    expect(() => b.bytes(bad as never)).toThrow(String((() => { try { a.bytes(bad as never); } catch (e) { return (e as Error).message; } return "no error"; })()));
  });

  test("setters on compiled views write the same bytes", () => {
    const v = compiled.OpenEvent!.from({ pid: 1, uid: 2, ts: 3n, flags: -4, comm: "x", filename: "/etc" } as never) as unknown as Record<string, unknown> & { $view: DataView };
    v.pid = 77;
    v.comm = "bash";
    expect(v.$view.getUint32(0, true)).toBe(77);
    expect(runtimeCorpus.OpenEvent.decode(v.$view)).toMatchObject({ pid: 77, comm: "bash", filename: "/etc", ts: 3n });
  });
});
