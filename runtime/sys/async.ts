/**
 * bpf(2) commands run on koffi's worker threads: a long BPF_PROG_TEST_RUN (millions of
 * repeats) must not block the event loop that consumes what the program produces.
 */
import { syscallNumbers } from "./arch.js";
import { BpfCmd, TestRunAttr, type BpfCmdNumber } from "./attrs.js";
import { bpf } from "./bpf.js";
import { syscallBpfAsync } from "./libc.js";
import { NativeBuffer } from "./native.js";

const NR_BPF = syscallNumbers().bpf;

/**
 * bpf(cmd, attr, size) on a worker thread. `attr` must stay alive until the promise settles.
 *
 * A failed call's errno stays on the worker thread, out of reach. The call is then made once
 * more on this thread, where `bpf()` reads errno and says what it means: the commands run
 * here fail on their arguments (a bad fd, sizes, flags), at once and the same way again.
 */
export function bpfAsync(cmd: BpfCmdNumber, attr: bigint, size: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    syscallBpfAsync.async(NR_BPF, cmd, attr, size, (err, r) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else if (r >= 0) resolve(r);
      else {
        try {
          resolve(bpf(cmd, attr, size, { what }));
        } catch (e) {
          reject(e);
        }
      }
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
