/**
 * One example per diagnostic code for docs/ERRORS.md: a host file that triggers the code and
 * the same file fixed. The generator compiles both for real (the message in the doc is the
 * compiler's own) and the docs test checks the bad one reports the code and the fix is clean.
 * Every host file starts with `PRELUDE`; `decls` go between it and the template.
 */

export const PRELUDE = `import { bpf, defstruct, ArrayMap, HashMap, RingBuf, u8, u16, u32, u64 } from "whistler-ts";\n`;

export interface ErrorExample {
  /** Host declarations before the template (maps, structs, constants). */
  readonly decls?: string;
  /** The template body that triggers the code. */
  readonly bad: string;
  /** The same program, fixed. */
  readonly fix: string;
  /** Declarations of the fixed file, when they differ. */
  readonly fixDecls?: string;
  /** What the fix changes, in one sentence. */
  readonly how: string;
}

const COUNTS = `const counts = new HashMap({ key: u32, value: u64, maxEntries: 1024 });\n`;
const TP = (body: string): string => `
  export function on_open(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
${body}
  }
`;
const XDP = (body: string): string => `
  export function on_packet(ctx: Xdp): i32 {
${body}
  }
`;

export const ERROR_EXAMPLES: Readonly<Record<string, ErrorExample>> = {
  WBPF1000: {
    bad: XDP(`    const x: u32 = (1 + ;\n    return XDP_PASS;`),
    fix: XDP(`    const x: u32 = 1;\n    return XDP_PASS;`),
    how: "Write valid TypeScript: the template is parsed by the TypeScript parser.",
  },
  WBPF1001: {
    bad: TP(`    const t = ktime_get_nsec();\n    return 0;`),
    fix: TP(`    const t = ktime_get_ns();\n    return 0;`),
    how: "Use a name that exists: a local, a helper (without the `bpf_` prefix), a constant or an interpolated value.",
  },
  WBPF1002: {
    bad: XDP(`    const s = "hello";\n    return XDP_PASS;`),
    fix: XDP(`    const s: u32 = 0x6c6c6568;\n    return XDP_PASS;`),
    how: "Rewrite the construct with what the language has (docs/LANGUAGE.md lists it).",
  },
  WBPF1003: {
    bad: XDP(`    const a: u32 = ctx.ingress_ifindex;\n    const b: u16 = a;\n    return XDP_PASS;`),
    fix: XDP(`    const a: u32 = ctx.ingress_ifindex;\n    const b: u16 = a as u16;\n    return XDP_PASS;`),
    how: "Convert explicitly with `as` where a value may narrow or change sign.",
  },
  WBPF1004: {
    bad: XDP(`    return ctx.ifindex as i32;`),
    fix: XDP(`    return ctx.ingress_ifindex as i32;`),
    how: "Read a field the context type has (the table in docs/LANGUAGE.md), or pick the context type that has it.",
  },
  WBPF1005: {
    bad: TP(`    return redirect(1, 0) as i32;`),
    fix: XDP(`    return redirect(1, 0) as i32;`),
    how: "Call the helper from a program type the kernel allows it in, or use another helper.",
  },
  WBPF1006: {
    bad: TP(`    const t = ktime_get_ns(0);\n    return 0;`),
    fix: TP(`    const t = ktime_get_ns();\n    return 0;`),
    how: "Pass exactly the arguments the helper or function takes.",
  },
  WBPF1007: {
    decls: COUNTS,
    bad: TP(`    const p = \${counts}.lookup(1);\n    p[0] += 1;\n    return 0;`),
    fix: TP(`    const p = \${counts}.lookup(1);\n    if (p !== null) p[0] += 1;\n    return 0;`),
    how: "Check the pointer first: `if (p)`, `if (p !== null)`, or return early on `if (!p)`.",
  },
  WBPF1008: {
    bad: XDP(`    const x: u8 = 300;\n    return XDP_PASS;`),
    fix: XDP(`    const x: u16 = 300;\n    return XDP_PASS;`),
    how: "Use a type the constant fits, or a constant that fits the type.",
  },
  WBPF1009: {
    bad: XDP(`    const limit: u32 = 10;\n    limit = 20;\n    return XDP_PASS;`),
    fix: XDP(`    let limit: u32 = 10;\n    limit = 20;\n    return XDP_PASS;`),
    how: "Declare with `let` what changes; assign only variables and writable context fields.",
  },
  WBPF1010: {
    bad: XDP(`    const n: u32 = 1;\n    const n: u32 = 2;\n    return XDP_PASS;`),
    fix: XDP(`    const n: u32 = 1;\n    const m: u32 = 2;\n    return XDP_PASS;`),
    how: "Give each declaration in a scope its own name.",
  },
  WBPF1011: {
    bad: XDP(`    if (ctx.ingress_ifindex == 1) return XDP_DROP;`),
    fix: XDP(`    if (ctx.ingress_ifindex == 1) return XDP_DROP;\n    return XDP_PASS;`),
    how: "Return a value on every path to the end of the program.",
  },
  WBPF1012: {
    bad: `
  function on_packet(ctx: Xdp): i32 {
    return XDP_PASS;
  }
`,
    fix: XDP(`    return XDP_PASS;`),
    how: "Export each program: `export function name(ctx: Ctx): i32 { ... }`.",
  },
  WBPF1013: {
    decls: `let limit = Number(process.env.LIMIT ?? 10);\n`,
    bad: XDP(`    if (ctx.ingress_ifindex > \${limit}) return XDP_DROP;\n    return XDP_PASS;`),
    fixDecls: `const limit = 10;\n`,
    fix: XDP(`    if (ctx.ingress_ifindex > \${limit}) return XDP_DROP;\n    return XDP_PASS;`),
    how: "Interpolate only what the build can resolve: map declarations, defstructs, and `const` integers.",
  },
  WBPF1014: {
    decls: COUNTS,
    bad: TP(`    const n = \${counts} + 1;\n    return 0;`),
    fix: TP(`    \${counts}.increment(1);\n    return 0;`),
    how: "Use maps through their methods and constants as values.",
  },
  WBPF1015: {
    bad: XDP(`    const off: u32 = ctx.rx_queue_index;\n    if (ctx.data + 64 > ctx.data_end) return XDP_PASS;\n    return load_u8(ctx.data, off) as i32;`),
    fix: XDP(`    if (ctx.data + 64 > ctx.data_end) return XDP_PASS;\n    return load_u8(ctx.data, 12) as i32;`),
    how: "Pass a compile-time constant where one is required (packet load offsets).",
  },
  WBPF1016: {
    bad: XDP(`    if (ctx.data + 14 > ctx.data_end) return XDP_PASS;\n    return load_u8(ctx.data, 23) as i32;`),
    fix: XDP(`    if (ctx.data + 34 > ctx.data_end) return XDP_PASS;\n    return load_u8(ctx.data, 23) as i32;`),
    how: "Compare the packet pointer plus the bytes you read with `ctx.data_end` and leave (or skip the read) when it is past the end.",
  },
  WBPF1017: {
    bad: TP(`    const task = get_current_task() as KernelStruct<"task_struct">;\n    return task.real_parent.tgd;`),
    fix: TP(`    const task = get_current_task() as KernelStruct<"task_struct">;\n    return task.real_parent.tgid;`),
    how: "Spell the struct and field as the kernel's BTF does (`whistler btf dump task_struct` lists the fields); the message names the nearest ones.",
  },
  WBPF1018: {
    bad: TP(`    const task = get_current_task() as KernelStruct<"task_struct">;\n    const login = task.loginuid;\n    return login.val as i32;`),
    fix: TP(`    const task = get_current_task() as KernelStruct<"task_struct">;\n    return task.loginuid.val as i32;`),
    how: "Read an anonymous struct's fields through its parent in one expression (a named struct can be kept in a local); fields must be integers (bitfields included), enums, pointers, structs, unions or arrays of those.",
  },
  WBPF1020: {
    bad: TP(`    const pid_tgid = get_current_pid_tgid();\n    printk("open by %d\\n", pid_tgid);\n    return 0;`),
    fix: TP(`    const pid_tgid = get_current_pid_tgid();\n    printk("open by %llu\\n", pid_tgid);\n    return 0;`),
    how: "Use a conversion the kernel's printk knows whose width matches the argument (`%llu` for a u64), or cast the argument.",
  },
  WBPF1030: {
    bad: XDP(`    let i: u32 = 0;\n    while (i != ctx.rx_queue_index) i += 1;\n    return XDP_PASS;`),
    fix: XDP(`    let n: u32 = 0;\n    for (let i: u32 = 0; i < 16; i++) n += i;\n    return XDP_PASS;`),
    how: "Loop over a counter compared with a constant, stepping toward it once per iteration.",
  },
  WBPF1031: {
    bad: XDP(`    break;\n    return XDP_PASS;`),
    fix: XDP(`    for (let i: u32 = 0; i < 4; i++) { if (i == 2) break; }\n    return XDP_PASS;`),
    how: "Use `break` in a loop or switch and `continue` in a loop; give switch cases distinct constants.",
  },
  WBPF2001: {
    decls: COUNTS,
    bad: TP(`    \${counts}.increment(get_current_pid_tgid());\n    return 0;`),
    fix: TP(`    \${counts}.increment((get_current_pid_tgid() >> 32n) as u32);\n    return 0;`),
    how: "Pass a key of the map's key type (cast with `as` when the value fits).",
  },
  WBPF2002: {
    decls: `const last = new HashMap({ key: u32, value: u16, maxEntries: 1024 });\n`,
    bad: TP(`    \${last}.update(1, ktime_get_ns());\n    return 0;`),
    fixDecls: `const last = new HashMap({ key: u32, value: u64, maxEntries: 1024 });\n`,
    fix: TP(`    \${last}.update(1, ktime_get_ns());\n    return 0;`),
    how: "Store values of the map's value type, or declare the map with the type you store.",
  },
  WBPF2003: {
    decls: `const slots = new ArrayMap({ value: u64, maxEntries: 16 });\n`,
    bad: XDP(`    \${slots}.delete(3);\n    return XDP_PASS;`),
    fix: XDP(`    \${slots}.update(3, 0);\n    return XDP_PASS;`),
    how: "Use a method the map kind has: array entries always exist, so reset them with `update` instead of `delete`.",
  },
  WBPF2004: {
    decls: `export const Event = defstruct("event", { pid: u32 });\nconst events = new RingBuf({ maxEntries: 4096 });\n`,
    bad: TP(`    const e = \${events}.reserve(\${Event});\n    if (!e) return 0;\n    e.pid = (get_current_pid_tgid() >> 32n) as u32;\n    return 0;`),
    fix: TP(`    const e = \${events}.reserve(\${Event});\n    if (!e) return 0;\n    e.pid = (get_current_pid_tgid() >> 32n) as u32;\n    \${events}.submit(e);\n    return 0;`),
    how: "Submit or discard every reserved record on every path before returning.",
  },
  WBPF3001: {
    // Two 320-byte stack structs alive at once (both are filled before either is sent).
    decls: `export const Quad = defstruct("quad", { a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, h: u64 });\nexport const Big = defstruct("big", { a: Quad, b: Quad, c: Quad, d: Quad, e: Quad });\nconst rb = new RingBuf({ maxEntries: 4096 });\n`,
    bad: XDP(`    let x: \${Big};\n    let y: \${Big};\n    x.a.a = 1;\n    y.a.a = 2;\n    \${rb}.output(x);\n    \${rb}.output(y);\n    return XDP_PASS;`),
    fix: XDP(`    let x: \${Big};\n    x.a.a = 1;\n    \${rb}.output(x);\n    x.a.a = 2;\n    \${rb}.output(x);\n    return XDP_PASS;`),
    how: "Use less stack at once (512 bytes per program; WBPF3001 lists the users): reuse one struct, keep big records in a map value or a ring buffer reservation, or split the work across programs or tail calls.",
  },
  WBPF3002: {
    bad: XDP(`    let n: u64 = 0;\n    for (let i: u32 = 0; i < 1000000; i++) n += i;\n    return n as i32;`),
    fix: XDP(`    let n: u64 = 0;\n    for (let i: u32 = 0; i < 1000; i++) n += i;\n    return n as i32;`),
    how: "Bound the loop so the verifier's walk through it stays small.",
  },
  WBPF3003: {
    // Seventy timestamps alive at once: a few fit in r6..r9, the rest would need 520 bytes of spills.
    bad: TP(`${Array.from({ length: 70 }, (_, k) => `    const t${k} = ktime_get_ns();`).join("\n")}\n    return (${Array.from({ length: 70 }, (_, k) => `t${k}`).join(" ^ ")}) as i32;`),
    fix: TP(`    let acc: u64 = 0;\n    for (let k: u32 = 0; k < 70; k++) acc = acc ^ ktime_get_ns();\n    return acc as i32;`),
    how: "Use each value soon after computing it (fold it into a running result), or keep a group of them in a map value or a stack struct, so fewer are alive at once.",
  },
  WBPF4001: {
    decls: `const fields = { pid: u32 };\nexport const Event = defstruct("event", fields);\n`,
    bad: XDP(`    return XDP_PASS;`),
    fixDecls: `export const Event = defstruct("event", { pid: u32 });\n`,
    fix: XDP(`    return XDP_PASS;`),
    how: "Write the name and fields of a defstruct as literals in the call, with field types from whistler-ts.",
  },
};
