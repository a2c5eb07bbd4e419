// Perf buffer consumer on the real kernel: samples from bpf_perf_event_output decoded per
// CPU, and lost samples (ring full) counted exactly against the program's own count of
// failed outputs.
import { expect, test } from "@jest/globals";
import { load, type BpfObject } from "../../loader/index.js";
import { possibleCpus } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

interface Event { seq: number; cpu: number; len: number }
const EventCodec = {
  size: 16,
  encode: () => { throw new Error("read-only"); },
  decode: (v: DataView, o: number): Event => ({ seq: Number(v.getBigUint64(o, true)), cpu: v.getUint32(o + 8, true), len: v.getUint32(o + 12, true) }),
};
const PACKET = new Uint8Array(64);
const ATTEMPTS = 3;
const FAILED = 4;

function stat(obj: BpfObject, k: number): number {
  return Number(obj.map<number, bigint>("stats").get(k));
}

describeKernel("perf buffer consumer", () => {
  checkNoFdLeaks();

  test("samples decoded with the CPU they came from", async () => {
    await using obj = await load(fixture("event_producers.bpf.o"));
    using pb = obj.perfBuffer("perf_events", EventCodec);
    expect(await pb.poll(() => {}, 0)).toBe(0);
    const prog = obj.program("perf_produce");
    prog.testRun({ data: PACKET, repeat: 10 });
    const got: [Event, number][] = [];
    expect(await pb.poll((e, cpu) => got.push([e, cpu]), 1000)).toBe(10);
    expect(got.map(([e]) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [e, cpu] of got) {
      expect(e.cpu).toBe(cpu);
      expect(e.len).toBe(64);
      expect(cpu).toBeLessThan(possibleCpus());
    }
    expect(pb.lost).toBe(0);
    expect(stat(obj, FAILED)).toBe(0);

    // Async iteration.
    prog.testRun({ data: PACKET, repeat: 3 });
    const seqs: number[] = [];
    for await (const e of pb) {
      seqs.push(e.seq);
      if (seqs.length === 3) break;
    }
    expect(seqs).toEqual([10, 11, 12]);
  });

  test("a full ring loses samples: counted from LOST records, equal to the program's failures", async () => {
    await using obj = await load(fixture("event_producers.bpf.o"));
    const lostReports: [number, number][] = [];
    // One 4 KiB page per CPU holds 128 samples of 16 bytes.
    using pb = obj.perfBuffer("perf_events", EventCodec, { pages: 1, onLost: (n, cpu) => lostReports.push([n, cpu]) });
    const prog = obj.program("perf_produce");
    prog.testRun({ data: PACKET, repeat: 10_000 });
    let samples = pb.consume(() => {});
    expect(samples).toBeGreaterThan(0);
    expect(samples).toBeLessThanOrEqual(128 * possibleCpus());
    // The kernel reports the loss with the next sample that fits.
    prog.testRun({ data: PACKET, repeat: 1 });
    samples += pb.consume(() => {});
    expect(stat(obj, ATTEMPTS)).toBe(10_001);
    expect(pb.lost).toBe(stat(obj, FAILED));
    expect(samples + pb.lost).toBe(10_001);
    expect(lostReports.reduce((a, [n]) => a + n, 0)).toBe(pb.lost);
    expect(pb.lostByCpu.reduce((a, b) => a + b, 0)).toBe(pb.lost);
  });

  test("dispose empties the map slots: outputs then fail in the program", async () => {
    await using obj = await load(fixture("event_producers.bpf.o"));
    {
      using pb = obj.perfBuffer("perf_events");
      obj.program("perf_produce").testRun({ data: PACKET });
      const raw: Uint8Array[] = [];
      pb.consume((r) => raw.push(r));
      expect(raw).toHaveLength(1);
      // Raw sample data is padded to 8 bytes with its u32 size: 20 bytes for a 16-byte event.
      expect(raw[0]!.length).toBeGreaterThanOrEqual(16);
    }
    obj.program("perf_produce").testRun({ data: PACKET });
    expect(stat(obj, FAILED)).toBe(1);
    expect(() => obj.perfBuffer("events")).toThrow(/not a perf event array/);
  });
});
