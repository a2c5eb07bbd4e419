/**
 * Declaration files keep precise types of compiled templates (with the transformer's
 * `afterDeclarations` entry): consumers of the .d.ts get program names and named maps checked.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jest/globals";

const root = path.resolve(import.meta.dirname, "../..");
const project = path.join(root, "test/fixtures/projects/decls");
const out = path.join(project, "out");

function node(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function typecheck(file: string, source: string): { status: number | null; out: string } {
  writeFileSync(path.join(out, file), source);
  return node([path.join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext",
    "--target", "es2022", "--lib", "es2023,esnext.disposable", "--types", "node", path.join(out, file)]);
}

test("exported templates are typed with their program names and maps in the .d.ts", () => {
  rmSync(out, { recursive: true, force: true });
  const r = node([path.join(root, "node_modules/ts-patch/bin/tspc.js"), "-p", project]);
  expect(r.out).toBe("");
  expect(r.status).toBe(0);
  const dts = readFileSync(path.join(out, "programs.d.ts"), "utf8");
  expect(dts).toContain('countOpens: import("whistler-ts").BpfTemplate<"count_opens", {');
  expect(dts).toContain('readonly "counts": import("whistler-ts").HashMap<import("whistler-ts").ScalarType<"u32">, import("whistler-ts").ScalarType<"u64">>;');
  expect(dts).toContain('readonly "hits": import("whistler-ts").ArrayMap<import("whistler-ts").ScalarType<"u32">>;');

  const ok = typecheck("consumer-ok.ts", `
    import { load } from "whistler-ts";
    import { countOpens } from "./programs.js";
    export async function f(): Promise<bigint | undefined> {
      const obj = await load(countOpens);
      obj.program("count_opens");
      const n: number | undefined = obj.map("hits").get(0);
      void n;
      return obj.map("counts").get(1);
    }`);
  expect(ok.out).toBe("");
  expect(ok.status).toBe(0);

  const bad = typecheck("consumer-bad.ts", `
    import { load } from "whistler-ts";
    import { countOpens } from "./programs.js";
    export async function f(): Promise<void> {
      const obj = await load(countOpens);
      obj.program("count_open");
    }`);
  expect(bad.status).not.toBe(0);
  expect(bad.out).toMatch(/consumer-bad\.ts\(6,19\): error TS2345: Argument of type '"count_open"' is not assignable to parameter of type '"count_opens"'/);
});

test("struct-keyed and struct-valued maps are typed by their fields in the .d.ts", () => {
  const dts = readFileSync(path.join(out, "programs.d.ts"), "utf8");
  const w = (n: string) => `import("whistler-ts").${n}`;
  expect(dts).toContain(`readonly "flows": ${w("HashMap")}<${w("StructClass")}<{`);
  expect(dts).toContain(`readonly "packets": ${w("NumberSpec")}<${w("ScalarType")}<"u64">>;`);
  expect(dts).toContain(`readonly "tag": ${w("CharSpec")}<8>;`);
  expect(dts).toContain(`readonly "hist": ${w("ArraySpec")}<${w("ScalarType")}<"u8">, 4>;`);
  const ok = typecheck("consumer-flows.ts", `
    import { load } from "whistler-ts";
    import { countFlows } from "./programs.js";
    export async function f(): Promise<void> {
      const obj = await load(countFlows);
      const v = obj.map("flows").get({ saddr: 1, daddr: 2 });
      const packets: number | undefined = v?.packets;
      const bytes: bigint | undefined = v?.bytes;
      const tag: string | undefined = v?.tag;
      void packets; void bytes; void tag;
    }`);
  expect(ok.out).toBe("");
  expect(ok.status).toBe(0);
  const bad = typecheck("consumer-flows-bad.ts", `
    import { load } from "whistler-ts";
    import { countFlows } from "./programs.js";
    export async function f(): Promise<void> {
      const obj = await load(countFlows);
      const v = obj.map("flows").get({ saddr: 1, daddr: 2 });
      const n: number | undefined = v?.bytes;
      void n;
    }`);
  expect(bad.status).not.toBe(0);
  expect(bad.out).toMatch(/consumer-flows-bad\.ts\(7,13\): error TS2322: Type 'bigint \| undefined' is not assignable to type 'number \| undefined'/);
});
