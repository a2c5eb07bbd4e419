/**
 * bpf(2) commands run on koffi's worker threads: a long BPF_PROG_TEST_RUN (millions of
 * repeats) must not block the event loop that consumes what the program produces.
 */
import { BpfError } from "../errors.js";
import { syscallNumbers } from "./arch.js";
import { BPF_CMD_NAMES, BpfCmd, TestRunAttr, type BpfCmdNumber } from "./attrs.js";
import { syscallBpfAsync } from "./libc.js";
import { NativeBuffer } from "./native.js";

const NR_BPF = syscallNumbers().bpf;

/** bpf(cmd, attr, size) on a worker thread. `attr` must stay alive until the promise settles. */
export function bpfAsync(cmd: BpfCmdNumber, attr: bigint, size: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    syscallBpfAsync.async(NR_BPF, cmd, attr, size, (err, r) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      // errno lives on the worker thread; the command and what failed is all we can say.
      else if (r < 0) reject(new BpfError(BPF_CMD_NAMES[cmd] ?? `bpf command ${cmd}`, 0, { what }));
      else resolve(r);
    });
  });
}

export interface AsyncTestRunResult {
  retval: number;
  /** Average per repeat, as the kernel measured it. */
  durationNs: number;
}

/** BPF_PROG_TEST_RUN of `data` `repeat` times, off the event loop. */
export async function progTestRunAsync(progFd: number, data: Uint8Array, repeat: number): Promise<AsyncTestRunResult> {
  using attr = new NativeBuffer(TestRunAttr.size);
  using din = NativeBuffer.from(data);
  using dout = new NativeBuffer(data.length + 256);
  const v = attr.view;
  v.setUint32(TestRunAttr.prog_fd, progFd, true);
  v.setUint32(TestRunAttr.data_size_in, data.length, true);
  v.setUint32(TestRunAttr.data_size_out, dout.size, true);
  v.setBigUint64(TestRunAttr.data_in, din.ptr, true);
  v.setBigUint64(TestRunAttr.data_out, dout.ptr, true);
  v.setUint32(TestRunAttr.repeat, repeat, true);
  await bpfAsync(BpfCmd.PROG_TEST_RUN, attr.ptr, TestRunAttr.size, "test run");
  return { retval: v.getUint32(TestRunAttr.retval, true), durationNs: v.getUint32(TestRunAttr.duration, true) };
}
