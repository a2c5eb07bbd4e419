// Bundles the compiler (dist/transformer/compile.js and the ~75 modules under it) into one
// file, dist/transformer/compiler.bundle.js, which the tsc transformer loads. Under tsc the
// compiler is loaded once per build, and resolving, reading and instantiating each ES module
// separately cost ~40 ms of every build, a tenth of the plugin's whole cost on a 100-template
// project; one module loads in ~13 ms.
//
// Modules of the runtime (runtime/) and loader (loader/) stay outside the bundle, imported
// from their usual files: their classes (errors, declarations) must be the same objects that
// user code and the rest of the package see, so `instanceof` keeps working. `typescript` stays
// external too (the host's instance is shared with the parser; see host-typescript.ts).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = resolve(root, "dist/transformer/compile.js");
const outfile = resolve(root, "dist/transformer/compiler.bundle.js");
const shared = [resolve(root, "dist/runtime"), resolve(root, "dist/loader")];

/** Keeps imports of shared modules as imports, rewritten relative to the bundle's folder. */
const keepShared = {
  name: "keep-shared-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!shared.some((dir) => target.startsWith(dir + "/"))) return undefined;
      let path = relative(dirname(outfile), target);
      if (!path.startsWith(".")) path = "./" + path;
      return { path, external: true };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["typescript"],
  plugins: [keepShared],
  logLevel: "warning",
  legalComments: "none",
});

// The plugin's compile worker (transformer/plugin/compile-worker.ts): CommonJS, everything
// inlined, and no TypeScript. Identity of runtime classes does not matter there (results are
// copied to tsc's thread), and a worker that loaded ES modules or TypeScript would take longer
// to start than the compiling it takes over. It sits beside the compiler bundle, so paths the
// bundled modules resolve through their require() are the same in both.
const workerOut = resolve(root, "dist/transformer/compile-worker.bundle.cjs");
await build({
  entryPoints: [resolve(root, "dist/transformer/plugin/compile-worker.js")],
  outfile: workerOut,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["typescript"],
  define: { "import.meta.url": "__bundleUrl" },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
  legalComments: "none",
});
if (/require\(["']typescript["']\)/.test(readFileSync(workerOut, "utf8"))) {
  console.error("bundle-compiler: the compile worker bundle requires TypeScript; something after parsing imports the parser");
  process.exit(1);
}

// A bundled module that located files through import.meta.url would now look beside the
// bundle instead of beside itself: refuse to produce such a bundle.
const text = readFileSync(outfile, "utf8");
const uses = text.split("\n").filter((l) => l.includes("import.meta") && !/createRequire\w*\(import\.meta\.url\)/.test(l));
if (uses.length > 0) {
  console.error(`bundle-compiler: a bundled compiler module uses import.meta (it would resolve relative to the bundle):\n${uses.join("\n")}`);
  process.exit(1);
}
