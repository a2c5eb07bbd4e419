// Bundles what a tsc build with the plugin loads into three CommonJS files, so that loading
// it takes a few files instead of ~100 ES modules (resolving, reading and instantiating each
// cost ~40 ms of every build), and tsc never starts Node's ES module loader for us:
//
//  - dist/transformer/plugin/transformer.bundle.cjs: the plugin's entry (what ts-patch
//    requires for `whistler-ts/transformer`), without the compiler;
//  - dist/transformer/compiler.bundle.cjs: the compiler, which the entry loads once it has
//    tsc's TypeScript to share with the template parser (plugin/host-typescript.ts);
//  - dist/transformer/compile-worker.bundle.cjs: a compile worker (plugin/compile-worker.ts),
//    which must not contain TypeScript at all: it compiles syntax trees parsed on tsc's thread.
//
// Everything is inlined but `typescript`. Runtime classes inlined here are copies, which is
// fine because none of them crosses to user code: these files run inside tsc, where results
// leave as plain data (user code imports the package's ES modules, never these files).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function bundle(entry, outfile) {
  const result = await build({
    entryPoints: [resolve(root, entry)],
    outfile: resolve(root, outfile),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["typescript"],
    // A module's own URL becomes the bundle's: see the check below.
    define: { "import.meta.url": "__bundleUrl" },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  // A bundled module that finds files relative to itself (import.meta.url) now finds them
  // relative to the bundle: only modules in the bundle's own folder may, and any module may
  // create a require for packages (`typescript`), which resolve the same from anywhere here.
  const outDir = dirname(resolve(root, outfile));
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = resolve(root, input);
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.includes("import.meta") && !/createRequire\w*\(import\.meta\.url\)/.test(l));
    if (lines.length > 0 && dirname(file) !== outDir) {
      console.error(`bundle-compiler: ${relative(root, file)} uses import.meta, which in ${outfile} would resolve from another folder:\n${lines.join("\n")}`);
      process.exit(1);
    }
  }
  return readFileSync(resolve(root, outfile), "utf8");
}

await bundle("dist/transformer/plugin/transformer.js", "dist/transformer/plugin/transformer.bundle.cjs");
await bundle("dist/transformer/compile.js", "dist/transformer/compiler.bundle.cjs");
const worker = await bundle("dist/transformer/plugin/compile-worker.js", "dist/transformer/compile-worker.bundle.cjs");
if (/require\(["']typescript["']\)/.test(worker)) {
  console.error("bundle-compiler: the compile worker bundle requires TypeScript; something after parsing imports the parser");
  process.exit(1);
}
