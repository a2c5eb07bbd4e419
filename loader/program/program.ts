/**
 * A loaded program: its fd, kernel info, attach (chosen by its section), and test runs.
 */
import { WhistlerError } from "../../runtime/errors.js";
import { progInfo, progTestRun, type Fd } from "../../runtime/sys/index.js";
import { attachProgram, type AttachOptions, type Link } from "../link/index.js";
import type { AttachTarget, ProgTypeName } from "../object/sections.js";
import { pinFd } from "../pin/pin.js";
import type { UsdtSpecTable } from "../link/usdt-specs.js";
import { decodeSkbContext, encodeSkbContext, type SkbContext, type SkbContextOut } from "./skb-ctx.js";

export type { AttachOptions } from "../link/index.js";

export interface ProgramInfo {
  /** Kernel program id (bpftool prog show id N). */
  readonly id: number;
  readonly tag: string;
  /** Instructions after the verifier's rewrites. */
  readonly xlatedInsns: number;
  /** Size of the JITed code in bytes (0 without JIT). */
  readonly jitedBytes: number;
  /** Instructions the verifier processed (kernels >= 5.16). */
  readonly verifiedInsns: number;
  readonly runTimeNs: bigint;
  readonly runCount: bigint;
}

export interface TestRunInput {
  /** Packet (or other input) data. Not for raw tracepoints. */
  data?: Uint8Array;
  /** How many times to run (the duration is the average). Default 1; not for raw tracepoints. */
  repeat?: number;
  /** Context in (e.g. struct xdp_md, __sk_buff as bytes); the kernel's version comes back in `ctx`. */
  ctx?: Uint8Array;
  /** skb programs (tc, socket filter, cgroup_skb): __sk_buff fields to set; decoded back in `skb`. */
  skb?: SkbContext;
  /** Raw tracepoints: the tracepoint's arguments (u64 each), the program's ctx. */
  args?: readonly bigint[];
  /** Room for output data; default input size + 256. */
  dataOutSize?: number;
  /** Raw tracepoints: run on this CPU (BPF_F_TEST_RUN_ON_CPU). */
  cpu?: number;
}

export interface TestRunOutput {
  /** The program's return value (e.g. XDP_PASS = 2). */
  readonly retval: number;
  /** Output data (the packet after the program). */
  readonly data: Uint8Array;
  readonly ctx: Uint8Array | undefined;
  /** The __sk_buff after the run, when `skb` was given. */
  readonly skb: SkbContextOut | undefined;
  /** Average run time per repeat, in ns (0 for raw tracepoints: the kernel does not time them). */
  readonly durationNs: number;
}

const BPF_F_TEST_RUN_ON_CPU = 1;
/** Types BPF_PROG_TEST_RUN runs with an __sk_buff context. */
const SKB_TYPES = new Set<ProgTypeName>(["SCHED_CLS", "SCHED_ACT", "SOCKET_FILTER", "CGROUP_SKB", "LWT_IN", "LWT_OUT", "LWT_XMIT"]);

export class Program implements Disposable {
  readonly name: string;
  readonly section: string;
  /** Program type, e.g. "TRACEPOINT", "XDP". */
  readonly type: ProgTypeName;
  readonly target: AttachTarget;
  readonly insnCount: number;
  /** @internal The object's USDT spec table, for attaching USDT programs that read arguments. */
  readonly usdtSpecs: UsdtSpecTable | undefined;
  readonly #fd: Fd;

  /** @internal Made by load(). */
  constructor(fd: Fd, name: string, section: string, type: ProgTypeName, target: AttachTarget, insnCount: number, usdtSpecs?: UsdtSpecTable) {
    this.#fd = fd;
    this.usdtSpecs = usdtSpecs;
    this.name = name;
    this.section = section;
    this.type = type;
    this.target = target;
    this.insnCount = insnCount;
  }

  /** The owned fd (for advanced use: pinning, passing to other APIs). */
  get fd(): Fd {
    return this.#fd;
  }

  info(): ProgramInfo {
    const i = progInfo(this.#fd.raw);
    return {
      id: i.id, tag: i.tag, xlatedInsns: i.xlatedInsns, jitedBytes: i.jitedBytes, verifiedInsns: i.verifiedInsns,
      runTimeNs: i.runTimeNs, runCount: i.runCount,
    };
  }

  /**
   * Attach where the section says (options give what it cannot: interface, cgroup, socket,
   * uprobe target); returns a Link that detaches on dispose.
   */
  attach(opts: AttachOptions = {}): Link {
    return attachProgram(this, opts);
  }

  /** Pin the program in bpffs (file mode 0600); it stays loaded until the pin is removed. */
  pin(path: string): void {
    pinFd(this.#fd, path);
  }

  /** Run the program once (or `repeat` times) in the kernel on `data` (BPF_PROG_TEST_RUN). */
  testRun(input: TestRunInput = {}): TestRunOutput {
    const rawTp = this.type === "RAW_TRACEPOINT" || this.type === "RAW_TRACEPOINT_WRITABLE";
    if (input.skb && !SKB_TYPES.has(this.type)) {
      throw new WhistlerError(`test-run program "${this.name}": skb contexts are for tc, socket filter and cgroup_skb programs, not ${this.type}`);
    }
    if (rawTp && (input.data || input.repeat !== undefined)) {
      throw new WhistlerError(`test-run program "${this.name}": raw tracepoint programs take only args (their context) and run once`, {
        hint: "pass { args: [arg0, arg1, ...] } (u64 values, as the tracepoint passes them)",
      });
    }
    let ctx = input.ctx;
    if (input.skb) ctx = encodeSkbContext(input.skb);
    if (input.args) {
      ctx = new Uint8Array(input.args.length * 8);
      const v = new DataView(ctx.buffer);
      input.args.forEach((a, i) => v.setBigUint64(i * 8, BigInt.asUintN(64, a), true));
    }
    const r = progTestRun(this.#fd.raw, {
      data: input.data ?? (rawTp ? undefined : new Uint8Array(0)),
      dataOutSize: input.dataOutSize,
      ctx,
      ctxOutSize: rawTp ? 0 : undefined,
      repeat: input.repeat,
      flags: input.cpu !== undefined ? BPF_F_TEST_RUN_ON_CPU : 0,
      cpu: input.cpu,
    }, { what: `test-run program "${this.name}"` });
    return {
      retval: r.retval, data: r.data, ctx: r.ctx, durationNs: r.durationNs,
      skb: input.skb && r.ctx ? decodeSkbContext(r.ctx) : undefined,
    };
  }

  /** Unload (the kernel frees it once no link or map holds it). Idempotent. */
  close(): void {
    this.#fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
