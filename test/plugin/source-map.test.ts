/**
 * Source maps of transformed files: the emitted `bpf.compiled(...)` call maps back to the
 * template it replaced, so stack traces and debuggers land on the template.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(path.join(tmpdir(), "whistler-sm-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes source map `mappings` into, per generated line, [genCol, srcLine][] (0-based). */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let srcLine = 0;
  for (const line of mappings.split(";")) {
    const segs: [number, number][] = [];
    let genCol = 0;
    for (const seg of line.split(",").filter(Boolean)) {
      const vals: number[] = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0]!;
      if (vals.length >= 4) {
        srcLine += vals[2]!;
        segs.push([genCol, srcLine]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

test("the compiled call maps to the template's lines", () => {
  const outDir = path.join(tmp, "out");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/ts-patch/bin/tspc.js"), "-p", path.join(root, "test/fixtures/projects/good"), "--outDir", outDir, "--sourceMap"], { encoding: "utf8" });
  expect(r.status).toBe(0);
  const js = readFileSync(path.join(outDir, "programs.js"), "utf8").split("\n");
  const map = JSON.parse(readFileSync(path.join(outDir, "programs.js.map"), "utf8")) as { mappings: string };
  const lines = decodeMappings(map.mappings);
  const src = readFileSync(path.join(root, "test/fixtures/projects/good/programs.ts"), "utf8").split("\n");
  const tplStart = src.findIndex((l) => l.includes("countOpens = bpf`"));
  const tplEnd = src.findIndex((l, i) => i > tplStart && l.startsWith("`;"));
  const genLine = js.findIndex((l) => l.includes("countOpens = bpf.compiled("));
  const col = js[genLine]!.indexOf("bpf.compiled(");
  const seg = lines[genLine]!.find(([c]) => c === col);
  expect(seg).toBeDefined();
  expect(seg![1]).toBe(tplStart);
  // every mapped segment of the payload lands inside the template
  const payloadEnd = js.findIndex((l, i) => i > genLine && l.startsWith("});"));
  for (let g = genLine + 1; g < payloadEnd; g++) {
    for (const [, s] of lines[g]!) expect(s >= tplStart && s <= tplEnd).toBe(true);
  }
});
