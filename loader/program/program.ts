/**
 * A loaded program: its fd, kernel info, attach (chosen by its section), and test runs.
 */
import { AttachError, NotSupportedError } from "../../runtime/errors.js";
import { progInfo, progTestRun, type Fd } from "../../runtime/sys/index.js";
import { attachRawTracepoint, attachTracepoint, attachXdp, type Link, type XdpMode } from "../link/index.js";
import type { AttachTarget, ProgTypeName } from "../object/sections.js";

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

export interface AttachOptions {
  /** XDP: interface name or index. */
  ifname?: string | number;
  /** XDP: attach mode (default: the kernel's choice). */
  xdpMode?: XdpMode;
  /** Tracepoints: a value the program reads with bpf_get_attach_cookie(). */
  cookie?: bigint;
}

export interface TestRunInput {
  /** Packet (or other input) data. */
  data?: Uint8Array;
  /** How many times to run (the duration is the average). Default 1. */
  repeat?: number;
  /** Context (e.g. struct xdp_md, __sk_buff) in and out. */
  ctx?: Uint8Array;
  /** Room for output data; default input size + 256. */
  dataOutSize?: number;
}

export interface TestRunOutput {
  /** The program's return value (e.g. XDP_PASS = 2). */
  readonly retval: number;
  /** Output data (the packet after the program). */
  readonly data: Uint8Array;
  readonly ctx: Uint8Array | undefined;
  /** Average run time per repeat, in ns. */
  readonly durationNs: number;
}

export class Program implements Disposable {
  readonly name: string;
  readonly section: string;
  /** Program type, e.g. "TRACEPOINT", "XDP". */
  readonly type: ProgTypeName;
  readonly target: AttachTarget;
  readonly insnCount: number;
  readonly #fd: Fd;

  /** @internal Made by load(). */
  constructor(fd: Fd, name: string, section: string, type: ProgTypeName, target: AttachTarget, insnCount: number) {
    this.#fd = fd;
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

  /** Attach where the section says; returns a Link that detaches on dispose. */
  attach(opts: AttachOptions = {}): Link {
    const t = this.target;
    switch (t.kind) {
      case "tracepoint":
        return attachTracepoint(this, t.group, t.name, opts.cookie);
      case "raw_tracepoint":
        return attachRawTracepoint(this, t.name);
      case "xdp":
        if (opts.ifname === undefined) {
          throw new AttachError(this.name, "XDP needs an interface", { hint: "pass { ifname: \"eth0\" } (to attachAll: { xdp: { ifname } })" });
        }
        return attachXdp(this, { ifname: opts.ifname, mode: opts.xdpMode });
      case "kprobe":
      case "uprobe":
      case "tc":
      case "socket":
      case "cgroup_skb":
      case "perf_event":
      case "cgroup":
      case "btf":
      case "other":
        throw new AttachError(this.name, `attaching ${t.kind} programs is not supported yet`, {
          cause: new NotSupportedError(`${t.kind} attach`),
          hint: "load the object and attach this program's fd yourself, or use testRun()",
        });
      default: {
        const never: never = t;
        return never;
      }
    }
  }

  /** Run the program once (or `repeat` times) in the kernel on `data` (BPF_PROG_TEST_RUN). */
  testRun(input: TestRunInput = {}): TestRunOutput {
    const r = progTestRun(this.#fd.raw, input, { what: `test-run program "${this.name}"` });
    return { retval: r.retval, data: r.data, ctx: r.ctx, durationNs: r.durationNs };
  }

  /** Unload (the kernel frees it once no link or map holds it). Idempotent. */
  close(): void {
    this.#fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
