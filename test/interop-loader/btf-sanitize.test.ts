/**
 * BTF sanitizing for kernels that lack newer kinds: every feature probe answers on this
 * kernel, and clang's BTF rewritten for an older kernel (any subset of kinds missing) is still
 * accepted by BPF_BTF_LOAD, with the same type ids, so maps and programs load with it.
 */
import { expect, test } from "@jest/globals";
import { load, parseObject } from "../../loader/index.js";
import { ALL_BTF_FEATURES, Btf, sanitizeBtf, type BtfFeatures } from "../../loader/btf/index.js";
import { btfFeatures, BTF_PROBES } from "../../loader/features/index.js";
import { btfLoad } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { frame } from "./packets.js";

const NONE: BtfFeatures = { func: false, funcGlobal: false, datasec: false, float: false, declTag: false, typeTag: false, enum64: false };
const OBJECTS = ["global_data.bpf.o", "kconfig.bpf.o", "map_in_map.bpf.o", "count_opens.bpf.o", "legacy_maps.bpf.o"];

describeKernel("BTF feature probes and sanitizing", () => {
  checkNoFdLeaks();

  test("Linux 6.18 accepts every probed kind; each probe blob is valid BTF", () => {
    expect(btfFeatures()).toEqual(ALL_BTF_FEATURES);
    for (const blob of Object.values(BTF_PROBES)) expect(Btf.parse(blob).types.length).toBeGreaterThan(1);
  });

  test.each(OBJECTS)("%s: sanitized for every missing kind, the kernel still accepts the BTF", (name) => {
    const spec = parseObject(fixture(name));
    const raw = spec.btf!;
    const btf = spec.parsedBtf!;
    const variants: BtfFeatures[] = [NONE, ...Object.keys(NONE).map((k) => ({ ...ALL_BTF_FEATURES, [k]: false }))];
    for (const f of variants) {
      const out = sanitizeBtf(raw, btf, f);
      const again = Btf.parse(out);
      expect(again.types.length).toBeGreaterThanOrEqual(btf.types.length);
      if (!f.datasec) expect(again.types.some((t) => t.kind === "DATASEC" || t.kind === "VAR")).toBe(false);
      if (!f.func) expect(again.types.some((t) => t.kind === "FUNC" || t.kind === "FUNC_PROTO")).toBe(false);
      if (!f.funcGlobal) expect(again.types.some((t) => t.kind === "FUNC" && t.linkage !== 0)).toBe(false);
      btfLoad(out).close();
    }
  });

  test("a program loads end to end with BTF sanitized as for an old kernel (no datasec, no func)", async () => {
    await using obj = await load(fixture("global_data.bpf.o"), { btfFeatures: NONE });
    expect(obj.program("global_data").testRun({ data: frame() }).retval).toBe(2);
  });

  test("ENUM64 and signed ENUM become UNION and unsigned ENUM, accepted by the kernel", () => {
    // [1] int, [2] ENUM64 "e" {a = -1} signed, [3] ENUM "e" signed {a = -1}
    const info = (kind: number, vlen: number, kflag = 0): number => ((kflag << 31) | (kind << 24) | vlen) >>> 0;
    const words = [1, info(1, 0), 4, (1 << 24) | 32, 5, info(19, 1, 1), 8, 7, 0xffffffff, 0xffffffff, 5, info(6, 1, 1), 4, 7, 0xffffffff];
    const str = new TextEncoder().encode("\0int\0e\0a\0");
    const blob = new Uint8Array(24 + words.length * 4 + str.length);
    const v = new DataView(blob.buffer);
    v.setUint16(0, 0xeb9f, true); v.setUint8(2, 1); v.setUint32(4, 24, true);
    v.setUint32(12, words.length * 4, true); v.setUint32(16, words.length * 4, true); v.setUint32(20, str.length, true);
    words.forEach((w, i) => v.setUint32(24 + i * 4, w, true));
    blob.set(str, 24 + words.length * 4);
    const btf = Btf.parse(blob);
    const out = Btf.parse(sanitizeBtf(blob, btf, { ...ALL_BTF_FEATURES, enum64: false }));
    expect(out.types.map((t) => t.kind)).toEqual(["VOID", "INT", "UNION", "ENUM", "INT"]);
    expect(out.types[3]).toMatchObject({ kind: "ENUM", signed: false });
    btfLoad(sanitizeBtf(blob, btf, { ...ALL_BTF_FEATURES, enum64: false })).close();
  });
});
