/**
 * openPacketSocket on a veth pair: frames sent from the peer's namespace arrive from their
 * Ethernet header on; an unknown interface is a typed error naming it; disposal closes the fd.
 */
import { expect, test } from "@jest/globals";
import { openPacketSocket, WhistlerError } from "../../index.js";
import { createVethPair } from "../../examples/common/veth.js";
import { describeKernel } from "../helpers/kernel.js";
import { checkNoFdLeaks } from "../helpers/fds.js";

describeKernel("openPacketSocket", () => {
  checkNoFdLeaks();

  test("receives the interface's frames, Ethernet header first; unknown interfaces are named", async () => {
    using veth = createVethPair("pks");
    {
      using sock = openPacketSocket(veth.hostIf);
      expect(sock.ifname).toBe(veth.hostIf);
      veth.exec(process.execPath, ["-e", `const s=require("node:dgram").createSocket("udp4");s.send("whistler-frame",9999,${JSON.stringify(veth.hostAddr)},()=>s.close())`]);
      let frames: Uint8Array[] = [];
      for (let i = 0; i < 100 && !frames.some(isOurs); i++) {
        frames = frames.concat(sock.drain());
        await new Promise((r) => setTimeout(r, 10));
      }
      const f = frames.find(isOurs)!;
      expect(f).toBeDefined();
      expect([f[12], f[13], f[23]]).toEqual([0x08, 0x00, 17]); // IPv4 carrying UDP, at Ethernet offsets
    }
    expect(() => openPacketSocket("nosuchif0")).toThrow(WhistlerError);
    expect(() => openPacketSocket("nosuchif0")).toThrow(/no network interface named "nosuchif0"[\s\S]*ip link/);
  });
});

function isOurs(f: Uint8Array): boolean {
  return Buffer.from(f).includes("whistler-frame");
}
