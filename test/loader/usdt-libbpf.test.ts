/**
 * What loading a clang object built with libbpf's usdt.bpf.h needs, checked without the
 * kernel (test/link/usdt.test.ts attaches it): its hidden global `bpf_usdt_arg` made static in
 * the BTF the kernel gets, as libbpf does, and the LINUX_HAS_BPF_COOKIE kconfig extern.
 */
import { describe, expect, test } from "@jest/globals";
import { Btf } from "../../loader/btf/index.js";
import { parseObject } from "../../loader/index.js";
import { kconfigData } from "../../loader/reloc/kconfig.js";
import { BTF_FUNC_GLOBAL, BTF_FUNC_STATIC } from "../../runtime/btf-format.js";
import { fixture } from "./fixtures.js";

const linkage = (btf: Btf, name: string): number | undefined => {
  const t = btf.types.find((x) => x.kind === "FUNC" && x.name === name);
  return t?.kind === "FUNC" ? t.linkage : undefined;
};

describe("usdt_args.bpf.o (libbpf 1.1's usdt.bpf.h)", () => {
  const spec = parseObject(fixture("usdt_args.bpf.o"));

  test("bpf_usdt_arg, global and hidden in the ELF, is static in the BTF loaded; the programs stay global", () => {
    expect(linkage(spec.parsedBtf!, "bpf_usdt_arg")).toBe(BTF_FUNC_GLOBAL);
    const loaded = Btf.parse(spec.btf!);
    expect(linkage(loaded, "bpf_usdt_arg")).toBe(BTF_FUNC_STATIC);
    expect(linkage(loaded, "bpf_usdt_arg_cnt")).toBe(BTF_FUNC_STATIC);
    expect(linkage(loaded, "on_args")).toBe(BTF_FUNC_GLOBAL);
    expect([...spec.maps.keys()]).toEqual(expect.arrayContaining(["seen", "__bpf_usdt_specs", "__bpf_usdt_ip_to_spec_id"]));
    expect(spec.maps.get("__bpf_usdt_specs")!.valueSize).toBe(208);
  });

  test("LINUX_HAS_BPF_COOKIE is 1 from Linux 5.15 (perf-event links with cookies), else 0", () => {
    const layout = spec.kconfig!;
    const at = layout.externs.find((e) => e.name === "LINUX_HAS_BPF_COOKIE")!.offset;
    expect(kconfigData(layout, { release: "5.15.0", config: undefined })[at]).toBe(1);
    expect(kconfigData(layout, { release: "6.18.44-x", config: undefined })[at]).toBe(1);
    expect(kconfigData(layout, { release: "5.14.21", config: undefined })[at]).toBe(0);
  });
});
