/**
 * Commands about types: `gen` (foreign definitions of defstructs), `tracepoint` (tracefs
 * formats and their snapshots), `btf` (kernel types), `usdt` (a binary's USDT probes). Each
 * imports its work on use, so the
 * other commands start without `typescript` or the kernel type tables.
 */
import type { Command } from "commander";
import { GEN_LANGS } from "./gen.js";

export function registerTypeCommands(program: Command): void {
  program
    .command("gen")
    .description("write C, Go, Rust or Python definitions matching every exported defstruct of FILE.ts")
    .argument("<file>", "TypeScript file declaring structs with defstruct")
    .requiredOption("-l, --lang <lang>", `target language: ${GEN_LANGS.join(", ")}`)
    .option("-o, --out <file>", "write to a file instead of stdout")
    .option("--package <name>", "Go package name", "main")
    .action(async (file: string, opts: { lang: string; out?: string; package?: string }) => (await import("./gen.js")).genCommand(file, opts));

  program
    .command("tracepoint")
    .description("tracepoint context layouts: list [FILTER], show GROUP/NAME, or --update the snapshot from tracefs")
    .argument("[action]", "list or show", "list")
    .argument("[name]", "filter (list) or GROUP/NAME (show)")
    .option("--update", "refresh the snapshot of tracepoint formats from the running kernel's tracefs")
    .option("-o, --out <file>", "with --update: write the snapshot module here")
    .option("--live", "read the running kernel's tracefs instead of the snapshot")
    .action(async (action: string | undefined, name: string | undefined, opts: { update?: boolean; out?: string; live?: boolean }) =>
      (await import("./tracepoint.js")).tracepointCommand(action, name, opts));

  program
    .command("btf")
    .description("kernel types from vmlinux BTF: dump [STRUCT] or search PATTERN, or --update the snapshot of kernel structs")
    .argument("[action]", "dump or search", "dump")
    .argument("[name]", "struct name (dump) or pattern (search)")
    .option("-f, --file <btf>", "a BTF file instead of /sys/kernel/btf/vmlinux")
    .option("--update", "refresh the snapshot of kernel struct layouts KernelStruct<\"name\"> compiles against")
    .option("-o, --out <file>", "with --update: write the snapshot module here")
    .action(async (action: string, name: string | undefined, opts: { file?: string; update?: boolean; out?: string }) => (await import("./btf.js")).btfCommand(action, name, opts));

  program
    .command("usdt")
    .description("list the USDT probes of a program or library: the Usdt<\"binary:provider:name\"> each takes, its sites and argument specs")
    .argument("<binary>", "path, or a library or command name (libc.so.6, python3)")
    .argument("[filter]", "only probes whose provider:name contains this")
    .action(async (binary: string, filter: string | undefined) => (await import("./usdt.js")).usdtCommand(binary, filter));
}
