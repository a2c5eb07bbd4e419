// `whistler gen` output compiled by each language's own compiler and checked against the TS
// layout of the corpus: gcc (static asserts), rustc (const asserts with offset_of!), python3
// ctypes, and Go (unsafe.Sizeof/Offsetof; Debian's golang-go).
import { describe, expect, test, beforeAll, afterAll } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { structsOfFile } from "../../transformer/structs/collect.js";
import { generate } from "../../transformer/structs/generate.js";
import { pascalCase, structsInOrder } from "../../transformer/structs/gen-common.js";
import type { StructLayout } from "../../runtime/struct/layout.js";

const corpusFile = path.resolve(import.meta.dirname, "corpus.ts");
const tmp = mkdtempSync(path.join(tmpdir(), "whistler-gen-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let layouts: StructLayout[] = [];

beforeAll(() => {
  const found = structsOfFile(corpusFile);
  expect(found.errors).toEqual([]);
  layouts = found.structs.map((s) => s.layout);
}, 30_000);

function run(cmd: string, args: string[], cwd = tmp): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, GOCACHE: path.join(tmpdir(), "whistler-gocache"), GOFLAGS: "-mod=mod" } });
  if (r.error) return { status: -1, out: String(r.error) };
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

describe("whistler gen", () => {
  test("finds every exported struct of the corpus", () => {
    expect(layouts.map((l) => l.name)).toContain("open_event");
    expect(layouts).toHaveLength(14);
  });

  test("C: gcc accepts the static asserts, and a wrong layout fails them", () => {
    const c = generate("c", layouts, "corpus.ts");
    writeFileSync(path.join(tmp, "structs.h"), c);
    writeFileSync(path.join(tmp, "check.c"), '#include "structs.h"\nint main(void) { return 0; }\n');
    const ok = run("gcc", ["-std=c11", "-Wall", "-Werror", "-fsyntax-only", "check.c"]);
    expect(ok.out).toBe("");
    expect(ok.status).toBe(0);
    writeFileSync(path.join(tmp, "structs.h"), c.replace("offsetof(struct mixed, b) == 8", "offsetof(struct mixed, b) == 4"));
    const bad = run("gcc", ["-std=c11", "-fsyntax-only", "check.c"]);
    expect(bad.status).not.toBe(0);
    expect(bad.out).toContain("struct mixed: offset of b");
  });

  test("Rust: rustc checks size_of, align_of and offset_of! at compile time", () => {
    writeFileSync(path.join(tmp, "structs.rs"), generate("rust", layouts, "corpus.ts"));
    const r = run("rustc", ["--edition=2021", "--crate-type=lib", "--emit=metadata", "-o", "structs.rmeta", "structs.rs"]);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  test("Python: ctypes sizes and offsets", () => {
    const checks = structsInOrder(layouts).map((l) => {
      const cls = pascalCase(l.name);
      return [`check(ctypes.sizeof(${cls}), ${l.size}, "${l.name} size")`,
        ...l.fields.map((f) => `check(${cls}.${f.name}.offset, ${f.offset}, "${l.name}.${f.name}")`)].join("\n");
    });
    const py = `${generate("python", layouts, "corpus.ts")}
bad = []
def check(got, want, what):
    if got != want: bad.append(f"{what}: {got} != {want}")
${checks.join("\n")}
print("\\n".join(bad) if bad else "ok")
`;
    writeFileSync(path.join(tmp, "structs.py"), py);
    const r = run("python3", ["structs.py"]);
    expect(r.out.trim()).toBe("ok");
  });

  // Under CI=true a missing toolchain is a failure, not a skip.
  const goTest = have("go") || process.env.CI === "true" ? test : test.skip;
  if (!have("go")) process.stderr.write("\n*** SKIPPING Go check: `go` is not installed (apt-get install golang-go) ***\n");
  goTest("Go: unsafe.Sizeof and unsafe.Offsetof", () => {
    const dir = mkdtempSync(path.join(tmp, "go-"));
    writeFileSync(path.join(dir, "structs.go"), generate("go", layouts, "corpus.ts"));
    const checks = structsInOrder(layouts).map((l) => {
      const t = pascalCase(l.name);
      return [`\t{ var x ${t}; check(unsafe.Sizeof(x), ${l.size}, "${l.name} size")`,
        ...l.fields.map((f) => `\tcheck(unsafe.Offsetof(x.${pascalCase(f.name)}), ${f.offset}, "${l.name}.${f.name}")`), "\t}"].join("\n");
    });
    writeFileSync(path.join(dir, "main.go"), `package main

import (
\t"fmt"
\t"os"
\t"unsafe"
)

var bad = 0

func check(got uintptr, want uintptr, what string) {
\tif got != want {
\t\tfmt.Printf("%s: %d != %d\\n", what, got, want)
\t\tbad++
\t}
}

func main() {
${checks.join("\n")}
\tif bad > 0 {
\t\tos.Exit(1)
\t}
\tfmt.Println("ok")
}
`);
    writeFileSync(path.join(dir, "go.mod"), "module structs\n\ngo 1.19\n");
    const r = run("go", ["run", "."], dir);
    expect(r.out.trim()).toBe("ok");
  }, 60_000);
});
