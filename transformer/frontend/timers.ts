/**
 * BPF timers: `timer_init`, `timer_set_callback`, `timer_start`, `timer_cancel` (helpers
 * 169-172, Linux 5.15 and later) on a `bpf_timer` field of a map value.
 *
 * The field's struct is a `defstruct` named `bpf_timer` of 16 bytes (the kernel's
 * `struct bpf_timer { __u64 __opaque[2]; }`): the object's BTF then names it inside the map
 * value, which is how the kernel finds the timer (as it finds a `bpf_spin_lock`). The
 * callback is a template function `(map: u64, key: u64 | ${Key}, value: ${Value})`
 * returning 0, emitted out of line and passed as a BPF_PSEUDO_FUNC address like bpf_loop's.
 */
import type { Span } from "../diagnostics.js";
import type { Expr } from "./ast.js";
import { errorNode, fail, type CheckOps } from "./check-ops.js";
import type { CallbackSig } from "./bpf-loop.js";
import type { HelperDef } from "./helpers.js";
import type { MapKind } from "../../runtime/map-decl.js";
import type { TExpr } from "./typed.js";
import { scalar, typeName } from "./types.js";

/** The kernel's struct bpf_timer: its BTF name and size. */
export const BPF_TIMER_NAME = "bpf_timer";
export const BPF_TIMER_SIZE = 16;

const NOTE = "Linux 5.15 and later; the timer is a `bpf_timer` field (a 16-byte defstruct named bpf_timer) of an array or hash map value";

/** Program types whose verifier accepts maps with timers (not kprobe, tracepoint, perf_event, raw_tracepoint). */
const TIMER_PROGS = ["xdp", "sched_cls", "cgroup_skb", "socket_filter", "tracing"] as const;

export const TIMER_HELPERS: Readonly<Record<string, HelperDef>> = {
  timer_init: { id: 169, params: ["mem", "map", "u64"], ret: "i64", progTypes: TIMER_PROGS, note: NOTE, doc: "timer_init(v.timer, map, clock): set up the timer of a value of `map` (clock CLOCK_MONOTONIC, CLOCK_REALTIME or CLOCK_BOOTTIME); 0, or -EBUSY when already set up" },
  timer_set_callback: { id: 170, params: ["mem", "u64"], ret: "i64", progTypes: TIMER_PROGS, note: NOTE, doc: "timer_set_callback(v.timer, fn): the template function `fn(map: u64, key: u64, value: ${Value})` the timer calls; it returns 0" },
  timer_start: { id: 171, params: ["mem", "u64", "u64"], ret: "i64", progTypes: TIMER_PROGS, note: NOTE, doc: "timer_start(v.timer, nsecs, flags): fire after nsecs (flags BPF_F_TIMER_ABS: at that CLOCK time; BPF_F_TIMER_CPU_PIN: on this CPU)" },
  timer_cancel: { id: 172, params: ["mem"], ret: "i64", progTypes: TIMER_PROGS, note: NOTE, doc: "timer_cancel(v.timer): stop a started timer and wait for a running callback; 1 if it was active" },
};

/** Map kinds whose values may hold a timer. */
const TIMER_MAPS: readonly MapKind[] = ["array", "hash", "lru_hash", "percpu_array", "percpu_hash", "lru_percpu_hash"];

export interface TimerEnv {
  /** The template function `name` names, unless a local shadows it. */
  callback(name: string): CallbackSig | undefined;
  referenced(fn: number, span: Span): void;
}

export function isTimerHelper(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(TIMER_HELPERS, name);
}

/** The timer argument: a non-null pointer to a `bpf_timer` struct (a field of a map value). */
function timerArg(ops: CheckOps, name: string, src: Expr): TExpr | undefined {
  const a = ops.expr(src);
  if (a.ty.k === "error") return undefined;
  if (a.ty.k !== "sptr" || a.ty.layout.name !== BPF_TIMER_NAME || a.ty.layout.size !== BPF_TIMER_SIZE) {
    fail(ops, "WBPF1003", src.span, `the first argument of '${name}' is a bpf_timer field of a map value (\`v.timer\`, declared with \`defstruct("bpf_timer", { opaque: array(u64, 2) })\`), not ${typeName(a.ty)}`);
    return undefined;
  }
  if (a.ty.nullable) {
    fail(ops, "WBPF1007", src.span, `the timer's map value may be null; check the lookup first: \`if (!v) return 0;\``);
    return undefined;
  }
  if (a.ty.origin === "stack") {
    fail(ops, "WBPF1003", src.span, "a timer on the stack cannot run: the kernel takes timers only inside map values. Look the value up and pass its field");
    return undefined;
  }
  return a;
}

export function checkTimerCall(ops: CheckOps, env: TimerEnv, e: Extract<Expr, { k: "call" }>): TExpr {
  const name = e.callee;
  const h = TIMER_HELPERS[name]!;
  if (e.args.length !== h.params.length) {
    return fail(ops, "WBPF1006", e.span, `'${name}' takes ${h.params.length} argument${h.params.length === 1 ? "" : "s"}, got ${e.args.length}: ${h.doc}`);
  }
  const timer = timerArg(ops, name, e.args[0]!);
  const rest: (TExpr | undefined)[] = [];
  if (name === "timer_init") {
    const src = e.args[1]!;
    const map = ops.mapOf(src);
    if (!map) rest.push(fail(ops, "WBPF1014", src.span, "the second argument of 'timer_init' is the map whose value holds the timer: `${timers}`"));
    else if (!TIMER_MAPS.includes(map.info.kind)) rest.push(fail(ops, "WBPF2003", src.span, `timers live in array or hash map values; '${map.name}' is a ${map.info.kind} map`));
    else rest.push({ k: "mapref", ty: scalar("u64"), map, span: src.span });
    rest.push(ops.convert(ops.expr(e.args[2]!), "u64", "WBPF1003", (x) => `the clock of 'timer_init' is a u64 (CLOCK_MONOTONIC); ${ops.describe(x)} does not convert implicitly`));
  } else if (name === "timer_set_callback") {
    rest.push(callbackArg(ops, env, e.args[1]!));
  } else if (name === "timer_start") {
    rest.push(ops.convert(ops.expr(e.args[1]!), "u64", "WBPF1003", (x) => `the delay of 'timer_start' is u64 nanoseconds; ${ops.describe(x)} does not convert implicitly`));
    rest.push(ops.convert(ops.expr(e.args[2]!), "u64", "WBPF1003", (x) => `the flags of 'timer_start' are a u64; ${ops.describe(x)} does not convert implicitly`));
  }
  if (!timer || rest.some((r) => !r || r.ty.k === "error")) return errorNode(e.span);
  return { k: "helper", ty: scalar("i64"), name, helper: h, args: [timer, ...(rest as TExpr[])], span: e.span };
}

const CB_USAGE = "`function fired(map: u64, key: u64, v: ${Value}): i64 { ...; return 0; }`";

/** The callback: `(map: u64, key: u64 | struct, value: struct)`, any prefix of those. */
function callbackArg(ops: CheckOps, env: TimerEnv, src: Expr): TExpr | undefined {
  const cb = src.k === "name" ? env.callback(src.name) : undefined;
  if (!cb) {
    fail(ops, "WBPF1003", src.span, `the second argument of 'timer_set_callback' is the callback: the name of a non-exported function of this template, e.g. ${CB_USAGE}`);
    return undefined;
  }
  env.referenced(cb.index, src.span);
  const [map, key, value] = cb.params;
  const ok = cb.params.length <= 3 && (map === undefined || map === "u64") && (key === undefined || key === "u64" || typeof key !== "string")
    && (value === undefined || typeof value !== "string") && cb.ret !== "void" && cb.ret !== "bool";
  if (!ok) {
    fail(ops, "WBPF1003", src.span, `'${cb.name}' cannot be a timer callback: it must take (map: u64, key: u64 or a key struct pointer, value: the map value's struct) and return an integer, 0; e.g. ${CB_USAGE}`);
    return undefined;
  }
  return { k: "funcaddr", ty: scalar("u64"), fn: cb.index, use: "timer", span: src.span };
}
