#!/usr/bin/env node
/**
 * The `whistler` command line. Every failure a user can cause ends in one readable message
 * and exit status 1; `--debug` shows the stack.
 */
import { Command } from "commander";
import pc from "picocolors";
import { buildCommand } from "./build.js";
import { loadCommand } from "./load.js";
import { disasmCommand } from "./disasm.js";
import { registerTypeCommands } from "./type-commands.js";
import { WhistlerError } from "../runtime/errors.js";

const program = new Command()
  .name("whistler")
  .description("Compile, inspect and load eBPF programs written in TypeScript")
  .option("--debug", "show stack traces of errors")
  .showHelpAfterError();

program
  .command("build")
  .description("compile every exported bpf template of FILE.ts to DIR/<exportName>.bpf.o")
  .argument("<file>", "TypeScript file holding bpf templates")
  .requiredOption("-o, --out-dir <dir>", "directory for the .bpf.o files")
  .action((file: string, opts: { outDir: string }) => buildCommand(file, opts.outDir));

program
  .command("load")
  .description("load every map and program of a BPF ELF object into the kernel, describe them, and close them")
  .argument("<object>", "BPF ELF object (.bpf.o)")
  .action((obj: string) => loadCommand(obj));

program
  .command("disasm")
  .description("disassemble a BPF ELF object, or the templates of a TypeScript file")
  .argument("<file>", ".bpf.o object or .ts file")
  .action((file: string) => disasmCommand(file));

registerTypeCommands(program);

program
  .command("run")
  .description("build FILE.ts (or take a .bpf.o), load it, attach every program, stream ring buffer records, and print the maps on exit")
  .argument("<file>", "TypeScript file with exported bpf templates, or a .bpf.o object")
  .option("--duration <seconds>", "stop after this many seconds (default: run until Ctrl-C)")
  .option("--ifname <name>", "network interface for XDP and tc programs")
  .option("--cgroup <path>", "cgroup v2 directory for cgroup programs")
  .option("--pid <pid>", "attach uprobes and USDT probes in this process only")
  .option("--limit <n>", "print at most this many entries of each map (default 50)")
  .option("--json", "records as JSON lines, then one JSON summary line with every map")
  .action(async (file: string, opts: import("./run/index.js").RunOptions) => (await import("./run/index.js")).runCommand(file, opts));

program
  .command("doctor")
  .description("check this machine: kernel, capabilities, tracefs/bpffs/cgroup2, BTF, and the program and map types the kernel accepts")
  .option("--json", "print one JSON object instead of the report")
  .option("--no-cache", "probe program and map types again instead of reading this boot's answers")
  .action(async (opts: { json?: boolean; cache: boolean }) => (await import("./doctor/index.js")).doctorCommand(opts));

program
  .command("repl")
  .description("interactive Node REPL with the API in scope: write, load and attach bpf templates, read their maps")
  // Imported on use: the REPL pulls in the whole loader and the run-time compiler.
  .action(async () => (await import("./repl.js")).replCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const debug = program.opts<{ debug?: boolean }>().debug === true;
  if (err instanceof WhistlerError && !debug) {
    process.stderr.write(`${pc.red("error")}: ${err.message}\n`);
  } else {
    process.stderr.write(`${pc.red("error")}: ${debug && err instanceof Error ? err.stack : String(err instanceof Error ? err.message : err)}\n`);
  }
  process.exitCode = 1;
}
