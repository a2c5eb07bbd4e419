/**
 * Under tsc the compiler runs inside an already loaded TypeScript; letting the template
 * parser `require("typescript")` a second copy costs ~0.4 s of every build. Before the
 * compiler's modules are first loaded, the host's instance is placed in the require cache
 * under the `typescript` this package resolves, so the parser binds to it.
 */
import { createRequire, Module } from "node:module";
import type * as TS from "typescript";
import { timed } from "./trace.js";

type Compiler = typeof import("../compile.js");

const require = createRequire(import.meta.url);

function shareHostTypeScript(ts: typeof TS): void {
  let id: string;
  try {
    id = require.resolve("typescript");
  } catch {
    return; // no own copy: the parser's require would fail anyway, and then says so
  }
  if (require.cache[id]) return; // already loaded by someone: keep one instance per process
  const m = new Module(id);
  m.filename = id;
  m.exports = ts;
  m.loaded = true;
  require.cache[id] = m;
}

/**
 * The compiler, loaded (once) so that it parses with `ts`: the one-file build of it that
 * `npm run build` writes beside compile.js (scripts/bundle-compiler.mjs), which loads in a
 * third of the time its ~75 separate modules take.
 */
export function loadCompiler(ts: typeof TS): Compiler {
  shareHostTypeScript(ts);
  return timed("loadMs", () => require("../compiler.bundle.cjs") as Compiler);
}
