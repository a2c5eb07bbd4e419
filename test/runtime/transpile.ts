/**
 * Transpiles runtime/ and loader/ into a temporary directory of plain ESM, for tests that
 * must run our code in a child node process (e.g. one without capabilities).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) yield p;
  }
}

/** A directory holding runtime/ and loader/ as .js plus a node_modules link; `dispose` removes it. */
export function transpileRuntime(): { dir: string } & Disposable {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-child-"));
  for (const top of ["runtime", "loader"]) {
    for (const file of tsFiles(path.join(root, top))) {
      const out = path.join(dir, path.relative(root, file)).replace(/\.ts$/, ".js");
      const js = ts.transpileModule(readFileSync(file, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: file,
      }).outputText;
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, js);
    }
  }
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}
