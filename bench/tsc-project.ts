/**
 * A generated TypeScript project with many `bpf` templates, for measuring the transformer's
 * cost in tsc (bench) and its watch-mode behaviour (tests).
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export function templateFile(file: number, perFile: number, variant = 0): string {
  const parts = [`import { bpf, HashMap, u32, u64 } from "whistler-ts";\n`];
  for (let t = 0; t < perFile; t++) {
    const id = `${file}_${t}`;
    parts.push(`
export const counts${id} = new HashMap({ key: u32, value: u64, maxEntries: ${1024 + t} });
export const prog${id} = bpf\`
  export function count_${id}(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> ${32 + variant}n) as u32;
    \${counts${id}}.increment(pid);
    return 0;
  }
\`;
`);
  }
  return parts.join("");
}

/**
 * Writes `files` files of `perFile` templates each into a fresh directory whose
 * node_modules/whistler-ts points at this package. Returns the project directory. `plugin`
 * adds the transformer's entry to the tsconfig; an object adds it with those options.
 */
export function generateProject(repoRoot: string, files: number, perFile: number, plugin: boolean | Readonly<Record<string, unknown>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-tsproj-"));
  mkdirSync(path.join(dir, "src"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(repoRoot, path.join(dir, "node_modules", "whistler-ts"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "gen", type: "module", private: true }));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true,
        outDir: "out", rootDir: "src", types: [], lib: ["ES2023", "ESNext.Disposable"],
        plugins: plugin ? [{ transform: "whistler-ts/transformer", ...(plugin === true ? {} : plugin) }] : [],
      },
      include: ["src"],
    }),
  );
  for (let f = 0; f < files; f++) writeFileSync(path.join(dir, "src", `t${f}.ts`), templateFile(f, perFile));
  return dir;
}
