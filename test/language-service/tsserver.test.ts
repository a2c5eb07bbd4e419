/**
 * The language-service plugin inside a real tsserver, driven over its protocol like an
 * editor: the fixture project's tsconfig lists `{ "name": "whistler-ts/language-service" }`,
 * which tsserver resolves from node_modules/whistler-ts (the repository, linked by the build).
 */
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { locate, TsServer, type Location } from "./tsserver.js";

const project = path.resolve(import.meta.dirname, "../fixtures/projects/editor");
const programs = path.join(project, "programs.ts");
const bad = path.join(project, "bad.ts");
const programsText = readFileSync(programs, "utf8");
const badText = readFileSync(bad, "utf8");

interface Diag {
  start: Location;
  end: Location;
  text: string;
  code: number;
  relatedInformation?: { span: { start: Location; file: string }; message: string }[];
}
interface CompletionInfo {
  isMemberCompletion: boolean;
  entries: { name: string; kind: string }[];
}
interface QuickInfo {
  displayString: string;
  documentation: string;
  start: Location;
  end: Location;
}

/** Tracepoint names come from tracefs, readable by root where it is mounted. */
const tracefsReadable = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"].some((r) => {
  try {
    accessSync(`${r}/available_events`, constants.R_OK);
    return true;
  } catch {
    return false;
  }
});

const tmp = mkdtempSync(path.join(tmpdir(), "whistler-tsserver-"));
let server: TsServer;

beforeAll(async () => {
  server = new TsServer(path.join(tmp, "tsserver.log"));
  server.send("open", { file: programs, fileContent: programsText });
  server.send("open", { file: bad, fileContent: badText });
  // The first request waits for the project to load.
  await server.request("semanticDiagnosticsSync", { file: programs });
});

afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const diagnostics = (file: string): Promise<Diag[]> => server.request<Diag[]>("semanticDiagnosticsSync", { file });
const summary = (ds: Diag[]): string[] => ds.map((d) => `${d.start.line}:${d.start.offset}-${d.end.line}:${d.end.offset} ${d.text.slice(0, 8)}`);

async function completions(file: string, at: Location): Promise<string[]> {
  try {
    const info = await server.request<CompletionInfo | undefined>("completionInfo", { file, ...at });
    return (info?.entries ?? []).map((e) => e.name);
  } catch (e) {
    // tsserver's answer where it has nothing to offer (e.g. inside a plain template string).
    if (e instanceof Error && e.message.includes("No content available")) return [];
    throw e;
  }
}

const quickinfo = (file: string, at: Location): Promise<QuickInfo | undefined> => server.request<QuickInfo | undefined>("quickinfo", { file, ...at });

describe("diagnostics", () => {
  test("a correct file has none", async () => {
    expect(await diagnostics(programs)).toEqual([]);
  });

  test("template errors are at their exact host line and offset, with codes and related information", async () => {
    const ds = await diagnostics(bad);
    expect(summary(ds)).toEqual([
      "6:25-6:47 WBPF2001", // get_current_pid_tgid() as a u32 key
      "13:17-13:23 WBPF2003", // delete on an array map
      "14:12-14:20 WBPF1005", // redirect in a tracepoint program
    ]);
    expect(ds[0]!.code).toBe(92001);
    expect(ds[0]!.text).toMatch(/u64 does not fit map 'counts' whose key is u32/);
    const rel = ds[0]!.relatedInformation?.[0];
    expect(rel?.span.file).toBe(path.join(project, "maps.ts"));
    expect(rel?.span.start).toEqual({ line: 3, offset: 14 });
    expect(rel?.message).toMatch(/declared here/);
  });

  test("incremental: moving templates reuses their results at the new positions", async () => {
    await diagnostics(bad);
    server.send("change", { file: bad, line: 1, offset: 1, endLine: 1, endOffset: 1, insertString: "\n" });
    expect(summary(await diagnostics(bad))).toEqual(["7:25-7:47 WBPF2001", "14:17-14:23 WBPF2003", "15:12-15:20 WBPF1005"]);
    expect(server.pluginLog().at(-1)).toMatch(/bad\.ts: 2 templates, 0 compiled, 2 cached/);
  });

  test("incremental: editing one template recompiles only that one", async () => {
    // `delete` -> `lookup` on line 14 (the file moved down one line above).
    server.send("change", { file: bad, line: 14, offset: 17, endLine: 14, endOffset: 23, insertString: "lookup" });
    expect(summary(await diagnostics(bad))).toEqual(["7:25-7:47 WBPF2001", "15:12-15:20 WBPF1005"]);
    expect(server.pluginLog().at(-1)).toMatch(/bad\.ts: 2 templates, 1 compiled, 1 cached/);
  });
});

describe("completions", () => {
  test("after `${map}.`: the methods of the map's kind", async () => {
    expect(await completions(programs, locate(programsText, "${counts}.", 10))).toEqual(["lookup", "update", "delete", "increment"]);
    expect(await completions(programs, locate(programsText, "${perProto}.", 12))).toEqual(["lookup", "update", "increment"]);
  });

  test("after `ctx.`: the fields of the context kind", async () => {
    const names = await completions(programs, locate(programsText, "ctx.data;", 4));
    expect(names).toEqual(["data", "data_end", "ingress_ifindex", "rx_queue_index", "egress_ifindex"]);
  });

  test("after `ctx.` of a USDT probe: ip, sp and arg_count, whose details say what it counts", async () => {
    const at = locate(programsText, "ctx.arg_count", 4);
    expect(await completions(programs, at)).toEqual(["ip", "sp", "arg_count"]);
    const [details] = await server.request<{ displayParts: { text: string }[]; documentation: { text: string }[] }[]>(
      "completionEntryDetails", { file: programs, ...at, entryNames: ["arg_count"] });
    expect(details!.displayParts.map((p) => p.text).join("")).toBe("(property) Usdt.arg_count: u32");
    expect(details!.documentation.map((p) => p.text).join("")).toMatch(/bpf_usdt_arg_cnt/);
  });

  test("after `ctx.` of a tracepoint: the record's fields from its format", async () => {
    const names = await completions(programs, locate(programsText, "ctx.flags as u32", 4));
    expect(names).toEqual(["__syscall_nr", "dfd", "filename", "flags", "mode"]);
  });

  test("after `e.` of a reserved struct record: the struct's fields", async () => {
    const names = await completions(programs, locate(programsText, "e.pid = ctx", 2));
    expect(names).toEqual(["pid", "ts", "comm"]);
  });

  test("after a KernelStruct local and along a pointer chain: the kernel struct's fields", async () => {
    const task = await completions(programs, locate(programsText, "task.real_parent.tgid", 5));
    expect(task).toEqual(expect.arrayContaining(["real_parent", "pid", "tgid", "comm", "mm"]));
    const parent = await completions(programs, locate(programsText, "task.real_parent.tgid", 17));
    expect(parent).toEqual(expect.arrayContaining(["tgid", "real_parent"]));
    const [details] = await server.request<{ displayParts: { text: string }[] }[]>(
      "completionEntryDetails", { file: programs, ...locate(programsText, "task.real_parent.tgid", 5), entryNames: ["real_parent"] });
    expect(details!.displayParts.map((p) => p.text).join("")).toBe("(field) struct task_struct.real_parent: struct task_struct *");
  });

  test("names: helpers the program type may call, intrinsics, constants, locals in scope", async () => {
    const tp = await completions(programs, locate(programsText, "get_current_pid_tgid() >>"));
    expect(tp).toEqual(expect.arrayContaining(["get_current_pid_tgid", "ktime_get_ns", "XDP_PASS", "BPF_ANY", "ctx", "return"]));
    expect(tp).not.toContain("redirect"); // xdp only
    expect(tp).not.toContain("pid"); // declared by this very statement

    const xdp = await completions(programs, locate(programsText, "load_u8(data"));
    expect(xdp).toEqual(expect.arrayContaining(["redirect", "load_u8", "ntohs", "data", "ctx", "XDP_DROP"]));
    expect(xdp).not.toContain("proto");
  });

  test("keywords: the control flow the compiler accepts", async () => {
    const names = await completions(programs, locate(programsText, "get_current_pid_tgid() >>"));
    expect(names).toEqual(expect.arrayContaining(["for", "while", "switch", "case", "default", "break", "continue", "if", "else", "return"]));
    expect(names).not.toContain("do"); // do...while is WBPF1002
  });

  test("bpf_loop is offered with its callback shape", async () => {
    const at = locate(programsText, "get_current_pid_tgid() >>");
    expect(await completions(programs, at)).toContain("bpf_loop");
    const details = await server.request<{ displayParts: { text: string }[]; documentation: { text: string }[] }[]>(
      "completionEntryDetails", { file: programs, ...at, entryNames: ["bpf_loop"] });
    expect(details[0]!.displayParts.map((p) => p.text).join("")).toMatch(/^function bpf_loop\(n: u32, callback: \(i: u64, c: \$\{Ctx\}\) => i64/);
    expect(details[0]!.documentation.map((p) => p.text).join("")).toMatch(/Kernel helper #181 \(bpf_loop\)/);
  });

  test("printk, strncmp, timers and built-in kfuncs are offered; timers not to tracing programs", async () => {
    const tp = locate(programsText, "get_current_pid_tgid() >>");
    const names = await completions(programs, tp);
    expect(names).toEqual(expect.arrayContaining(["printk", "trace_printk", "strncmp", "bpf_task_from_pid", "bpf_rcu_read_lock"]));
    expect(names).not.toContain("timer_start");
    expect(await completions(programs, locate(programsText, "load_u8(data"))).toEqual(expect.arrayContaining(["timer_init", "timer_start"]));
    const details = await server.request<{ displayParts: { text: string }[]; documentation: { text: string }[] }[]>(
      "completionEntryDetails", { file: programs, ...tp, entryNames: ["printk", "bpf_task_from_pid"] });
    expect(details[0]!.displayParts.map((p) => p.text).join("")).toBe('function printk(fmt: "...", ...args): i64');
    expect(details[0]!.documentation.map((p) => p.text).join("")).toMatch(/#177 \(bpf_trace_vprintk/);
    expect(details[1]!.displayParts.map((p) => p.text).join("")).toBe("function bpf_task_from_pid(pid: i32): kptr");
  });

  test("type positions: integer types after `as`, context kinds for the parameter", async () => {
    const types = await completions(programs, locate(programsText, "as u32", 3));
    expect(types).toEqual(["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"]);
    const kinds = await completions(programs, locate(programsText, "ctx: Xdp", 5));
    for (const k of ["Tracepoint", "RawTracepoint", "Uprobe", "Usdt", "Kprobe", "Xdp", "Tc", "CgroupSkb", "SocketFilter", "PerfEvent"]) expect(kinds).toContain(k);
    expect(kinds).not.toContain("u32");
  });

  test("in `Tracepoint<\"|\">`: the running kernel's tracepoints; in other strings nothing", async () => {
    const names = await completions(programs, locate(programsText, 'Tracepoint<"', 12));
    if (tracefsReadable) {
      expect(names).toEqual(expect.arrayContaining(["syscalls/sys_enter_openat", "sched/sched_switch"]));
      expect(names).not.toContain("ktime_get_ns");
    } else {
      expect(names).toEqual([]);
    }
  });

  test("half-typed code: `${map}.` on a new line offers methods", async () => {
    const text = `${programsText.slice(0, programsText.indexOf("    return 0;"))}    \${counts}.\n${programsText.slice(programsText.indexOf("    return 0;"))}`;
    server.send("open", { file: programs, fileContent: text });
    expect(await completions(programs, locate(text, "${counts}.\n", 10))).toEqual(["lookup", "update", "delete", "increment"]);
    server.send("open", { file: programs, fileContent: programsText });
  });

  test("details of an entry come from the helper table", async () => {
    const at = locate(programsText, "load_u8(data");
    const details = await server.request<{ displayParts: { text: string }[]; documentation: { text: string }[] }[]>(
      "completionEntryDetails", { file: programs, ...at, entryNames: ["redirect"] });
    expect(details[0]!.displayParts.map((p) => p.text).join("")).toBe("function redirect(arg0: u32, arg1: u64): i64");
    expect(details[0]!.documentation.map((p) => p.text).join("")).toMatch(/Kernel helper #23 \(bpf_redirect\)\. Program types: [a-z_, ]*\bxdp\b/);
  });

  test("outside bpf templates TypeScript answers alone", async () => {
    const ts = await completions(programs, locate(programsText, "String.raw"));
    expect(ts).toEqual(expect.arrayContaining(["String", "counts", "perProto"]));
    expect(ts).not.toContain("get_current_pid_tgid");
    expect(await completions(programs, locate(programsText, "get_current_pid_tgid ${counts}"))).not.toContain("ktime_get_ns");
    expect(await completions(programs, locate(programsText, "${counts}.`", 10))).not.toContain("increment");
  });
});

describe("quickinfo", () => {
  test("helpers: signature, number, program types", async () => {
    const q = await quickinfo(programs, locate(programsText, "get_current_pid_tgid", 3));
    expect(q?.displayString).toBe("function get_current_pid_tgid(): u64");
    expect(q?.documentation).toMatch(/Kernel helper #14 \(bpf_get_current_pid_tgid\)\. Program types: all\./);
    expect(q?.start).toEqual(locate(programsText, "get_current_pid_tgid"));

    server.send("open", { file: bad, fileContent: badText });
    const r = await quickinfo(bad, locate(badText, "redirect", 2));
    expect(r?.documentation).toMatch(/Not allowed in tracepoint programs \(WBPF1005\)/);
  });

  test("map methods with the map's own key and value types", async () => {
    const q = await quickinfo(programs, locate(programsText, "${counts}.increment", 12));
    expect(q?.displayString).toBe("(method) counts.increment(key: u32, by?: u64): void");
    const l = await quickinfo(programs, locate(programsText, "${perProto}.increment", 14));
    expect(l?.displayString).toBe("(method) perProto.increment(key: u32, by?: u64): void");
  });

  test("`${map}`: the map declaration, next to TypeScript's own description", async () => {
    const q = await quickinfo(programs, locate(programsText, "${counts}", 3));
    expect(q?.displayString).toMatch(/^\(alias\) const counts: HashMap</);
    expect(q?.documentation).toMatch(/^\(map\) counts: hash map, u32 -> u64, max 10240 entries\n/);
    expect(q?.documentation).toMatch(/BPF_MAP_TYPE_HASH \(1\): key u32 \(4 bytes\), value u64 \(8 bytes\), max 10240 entries\./);
    expect(q?.documentation).toContain(`Declared at ${path.join(project, "maps.ts")}:3:14.`);

    const dollar = await quickinfo(programs, locate(programsText, "${perProto}"));
    expect(dollar?.displayString).toBe("(map) perProto: array map, u32 -> u64, max 256 entries");
    expect(dollar?.start).toEqual(locate(programsText, "${perProto}"));
    expect(dollar?.end).toEqual(locate(programsText, "${perProto}", "${perProto}".length));
  });

  test("`${struct}`: the defstruct's C layout with offsets and sizes", async () => {
    const q = await quickinfo(programs, locate(programsText, "${OpenEvent}"));
    expect(q?.displayString).toBe("(struct) open_event: 32 bytes, 3 fields");
    expect(q?.documentation).toContain("C layout, 32 bytes, aligned to 8:");
    expect(q?.documentation).toMatch(/ {3}8 {3}8 {2}u64 +ts\n/);
    expect(q?.documentation).toMatch(/ {2}16 {2}16 {2}char\(16\) +comm\n/);
    expect(q?.documentation).toContain(`Declared at ${path.join(project, "maps.ts")}:5:26.`);
  });

  test("context kinds show their layout; fields their offset and size", async () => {
    const k = await quickinfo(programs, locate(programsText, "Xdp)", 1));
    expect(k?.displayString).toBe("type Xdp");
    expect(k?.documentation).toContain("Kernel struct xdp_md, 24 bytes.");
    expect(k?.documentation).toMatch(/ {2}4 {3}4 {2}packet end pointer +data_end/);
    const f = await quickinfo(programs, locate(programsText, "ctx.data_end", 6));
    expect(f?.displayString).toBe("(property) Xdp.data_end: packet end pointer");
    expect(f?.documentation).toBe("Offset 4, size 4 bytes in the context; read-only.");
  });

  test("constants and integer types", async () => {
    expect((await quickinfo(programs, locate(programsText, "XDP_PASS", 2)))?.displayString).toBe("const XDP_PASS = 2");
    const u = await quickinfo(programs, locate(programsText, "as u32", 4));
    expect(u?.displayString).toBe("type u32");
    expect(u?.documentation).toBe("unsigned 32-bit integer, 0 to 4294967295; 4 bytes.");
  });

  test("outside templates: TypeScript's hover, unchanged", async () => {
    const q = await quickinfo(programs, locate(programsText, "counts, perProto", 1));
    expect(q?.displayString).toMatch(/counts: HashMap</);
    expect(q?.documentation ?? "").not.toContain("BPF_MAP_TYPE");
  });
});
