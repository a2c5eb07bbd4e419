/**
 * `whistler repl`: Node's REPL (top-level await included) with the whole API in scope. A
 * `bpf` template typed here compiles at run time with the same compiler as the build, so a
 * program can be written, loaded, attached and its maps read interactively:
 *
 *   > const counts = new HashMap({ key: u32, value: u64, maxEntries: 1024, name: "counts" })
 *   > const p = bpf`export function f(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 { ... }`
 *   > const obj = await load(p); obj.attachAll()
 *   > obj.map(counts)            // prints the map's entries
 *
 * Objects loaded here are tracked: `.maps` and `.programs` list them, `.dispose` closes them,
 * and leaving the REPL closes them too (links detach, fds close).
 */
import repl from "node:repl";
import * as api from "../index.js";
import type { BpfObject, LoadOptions } from "../loader/index.js";
import type { BpfTemplate } from "../runtime/template.js";
import { WhistlerError } from "../runtime/errors.js";
import { compileAtRunTimeWith } from "../transformer/runtime-compile.js";
import { compileTemplate, disassemble } from "../transformer/compile.js";
import { pacedInput } from "./repl-input.js";
import { formatMap, formatObject, Listing, replWriter } from "./repl-format.js";

const BANNER = `whistler-ts REPL. In scope: bpf, HashMap, ArrayMap, u8..u64, i8..i64, bool, defstruct, load, disasm and the rest of
the API. Templates compile at run time. Commands: .maps .programs .dispose (.help for all).
`;

/** BpfObject has no public "disposed" flag; its accessors refuse once disposed. */
function isOpen(o: BpfObject): boolean {
  const first = o.programs.keys().next();
  if (first.done) return true;
  try {
    o.program(first.value);
    return true;
  } catch (e) {
    if (e instanceof WhistlerError) return false;
    throw e;
  }
}

export async function replCommand(): Promise<void> {
  const loaded: BpfObject[] = [];
  const colors = process.stdout.isTTY === true;

  const load = async (source: BpfTemplate | Uint8Array | string, opts?: LoadOptions): Promise<BpfObject> => {
    const obj = await api.load(source, opts);
    loaded.push(obj);
    return obj;
  };
  const disasm = (t: BpfTemplate): Listing => {
    const elf = t.elfBytes() ?? compileAtRunTimeWith(t, compileTemplate).elf;
    return new Listing(disassemble(elf).trimEnd());
  };
  /** Objects still open; one disposed by hand (`obj[Symbol.dispose]()`) drops out. */
  const live = (): BpfObject[] => loaded.filter(isOpen);
  const disposeAll = (): void => {
    for (const o of loaded.splice(0)) o[Symbol.dispose]();
  };

  const interactive = process.stdin.isTTY === true;
  if (interactive) process.stdout.write(BANNER);
  const paced = interactive ? undefined : pacedInput(process.stdin, process.stdout);
  const server = repl.start({
    prompt: "whistler> ",
    input: paced?.stream ?? process.stdin,
    output: process.stdout,
    terminal: interactive,
    useGlobal: false,
    writer: replWriter(colors),
    ignoreUndefined: true,
  });
  paced?.attach(server);
  Object.assign(server.context, api, { load, disasm });

  server.defineCommand("maps", {
    help: "Print every map of the objects loaded in this session",
    action() {
      const out = live().flatMap((o) => o.mapNames.map((n) => formatMap(o.map(n), colors)));
      this.output.write(`${out.join("\n") || "no maps: load() a template first"}\n`);
      this.displayPrompt();
    },
  });
  server.defineCommand("programs", {
    help: "List the programs of the objects loaded in this session",
    action() {
      const out = live().map(formatObject);
      this.output.write(`${out.join("\n") || "no objects: load() a template first"}\n`);
      this.displayPrompt();
    },
  });
  server.defineCommand("dispose", {
    help: "Detach and close every object loaded in this session",
    action() {
      const n = loaded.length;
      disposeAll();
      this.output.write(`closed ${n} object${n === 1 ? "" : "s"}\n`);
      this.displayPrompt();
    },
  });

  await new Promise<void>((resolve) => server.on("exit", resolve));
  disposeAll();
}
