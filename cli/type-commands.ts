/**
 * Commands about types: `gen` (foreign definitions of defstructs), `tracepoint` (tracefs
 * formats and their snapshots), `btf` (kernel types). Each imports its work on use, so the
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
}
