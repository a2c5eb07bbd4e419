import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { createVethPair, type VethPair } from "../../examples/common/veth.js";
import { load } from "../../loader/index.js";
import { attachSocketFilter, attachTc } from "../../loader/link/index.js";
import { AttachError } from "../../runtime/errors.js";
import { udpSocket } from "./sockets.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";

const PORT = 39_999;
let veth: VethPair;

/** Send `n` UDP datagrams from the namespace to the host end, port `port`. */
function sendFromPeer(port: number, n: number): void {
  veth.exec("bash", ["-c", `for i in $(seq ${n}); do echo -n ping$i > /dev/udp/${veth.hostAddr}/${port}; done`]);
}

function tcFilters(dir: "ingress" | "egress"): string {
  return execFileSync("tc", ["filter", "show", "dev", veth.hostIf, dir], { encoding: "utf8" });
}

describeKernel("tc: tcx and netlink attach over a veth pair, real UDP packets", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    veth = createVethPair("tc");
  });
  afterAll(() => veth[Symbol.dispose]());

  for (const mode of ["tcx", "netlink"] as const) {
    test(`tc_mark_udp marks watched UDP packets (${mode}); a socket filter keeps only marked ones`, async () => {
      await using tc = await load(fixture("tc_mark_udp.bpf.o"));
      await using kinds = await load(fixture("attach_kinds.bpf.o"));
      tc.map<number, number>("watched_port").set(0, PORT);
      using sock = udpSocket(veth.hostAddr, PORT);
      using _filter = attachSocketFilter(kinds.program("keep_marked"), sock.fd);
      {
        using link = attachTc(tc.program("mark_udp"), { ifname: veth.hostIf, direction: "ingress", mode });
        expect(link).toMatchObject({ kind: "tc", target: `${veth.hostIf} ingress`, attached: true });
        if (mode === "netlink") expect(tcFilters("ingress")).toMatch(/bpf .*mark_udp.* direct-action/);
        sendFromPeer(PORT, 3);
        expect(await sock.collect(3)).toEqual(["ping1", "ping2", "ping3"]);
        // Another watched port: packets to PORT pass unmarked, and the socket filter drops them.
        tc.map<number, number>("watched_port").set(0, PORT + 1);
        sendFromPeer(PORT, 2);
        expect(await sock.collect(0)).toEqual([]);
        tc.map<number, number>("watched_port").set(0, PORT);
      }
      // Detached: nothing marks packets any more.
      if (mode === "netlink") expect(tcFilters("ingress")).not.toMatch(/mark_udp/);
      sendFromPeer(PORT, 2);
      expect(await sock.collect(0)).toEqual([]);
    });
  }

  test("attachAll takes the interface; without one the error says what to pass", async () => {
    await using tc = await load(fixture("tc_mark_udp.bpf.o"));
    expect(() => tc.attachAll()).toThrow(AttachError);
    expect(() => tc.attachAll()).toThrow(/attachAll\(\{ tc: \{ ifname: "eth0" \} \}\)/);
    const links = tc.attachAll({ tc: { ifname: veth.hostIf, direction: "egress" } });
    expect(links.map((l) => l.target)).toEqual([`${veth.hostIf} egress`]);
    expect(() => attachTc(tc.program("mark_udp"), { ifname: "no-such-if0" })).toThrow(/no network interface named "no-such-if0"/);
  });
});
