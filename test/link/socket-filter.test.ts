import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { createVethPair, type VethPair } from "../../examples/common/veth.js";
import { load } from "../../loader/index.js";
import { attachSocketFilter } from "../../loader/link/index.js";
import { AttachError } from "../../runtime/errors.js";
import { ifIndex } from "../../runtime/sys/index.js";
import { checkNoFdLeaks } from "../helpers/fds.js";
import { describeKernel } from "../helpers/kernel.js";
import { fixture } from "../loader/fixtures.js";
import { packetSocket, udpSocket, type TestSocket } from "./sockets.js";

let veth: VethPair;

/** UDP datagrams and a TCP connection attempt from the namespace to the host end. */
function traffic(): void {
  veth.exec("bash", ["-c", `for i in 1 2 3; do echo -n u$i > /dev/udp/${veth.hostAddr}/40001; done; (exec 3<>/dev/tcp/${veth.hostAddr}/40002) 2>/dev/null; true`]);
}

/** IP protocol numbers of IPv4 frames received (others as "other"). */
async function protocols(sock: TestSocket): Promise<(number | "other")[]> {
  await new Promise((r) => setTimeout(r, 100));
  return sock.drainBytes().map((f) => (f.length > 23 && f[12] === 0x08 && f[13] === 0x00 ? f[23]! : "other"));
}

describeKernel("socket filter: SO_ATTACH_BPF on real sockets", () => {
  checkNoFdLeaks();
  beforeAll(() => {
    veth = createVethPair("sf");
  });
  afterAll(() => veth[Symbol.dispose]());

  test("socket_tcp_filter (clang) keeps only IPv4 TCP frames on a packet socket", async () => {
    await using obj = await load(fixture("socket_tcp_filter.bpf.o"));
    using sock = packetSocket(ifIndex(veth.hostIf));
    traffic();
    const unfiltered = await protocols(sock);
    expect(unfiltered).toContain(17);
    expect(unfiltered).toContain(6);
    {
      using link = attachSocketFilter(obj.program("tcp_only"), sock.fd);
      expect(link).toMatchObject({ kind: "socket_filter", attached: true });
      traffic();
      const filtered = await protocols(sock);
      expect(filtered.length).toBeGreaterThan(0);
      expect(new Set(filtered)).toEqual(new Set([6]));
    }
    // Detached: UDP shows up again.
    traffic();
    expect(await protocols(sock)).toContain(17);
  });

  test("disposing a link after its socket closed leaves the socket that reuses the fd number alone", async () => {
    await using obj = await load(fixture("socket_tcp_filter.bpf.o"));
    const prog = obj.program("tcp_only");
    const first = packetSocket(ifIndex(veth.hostIf));
    const number = first.fd.raw;
    const stale = attachSocketFilter(prog, number);
    first[Symbol.dispose](); // the socket, and its filter, are gone; the link still holds the number
    using second = packetSocket(ifIndex(veth.hostIf));
    expect(second.fd.raw).toBe(number); // the kernel hands out the lowest free number
    using link = attachSocketFilter(prog, second.fd);
    second.drainBytes(); // frames queued before the filter was attached
    stale[Symbol.dispose]();
    traffic();
    const filtered = await protocols(second);
    expect(filtered.length).toBeGreaterThan(0);
    expect(new Set(filtered)).toEqual(new Set([6])); // still filtered: the stale link detached nothing
    link[Symbol.dispose]();
    traffic();
    expect(await protocols(second)).toContain(17);
  });

  test("attach() and attachAll() take the socket; errors say what is wrong", async () => {
    await using obj = await load(fixture("socket_tcp_filter.bpf.o"));
    const prog = obj.program("tcp_only");
    expect(() => prog.attach()).toThrow(/socket needs a socket/);
    expect(() => obj.attachAll()).toThrow(/attachAll\(\{ socket: fd \}\)/);
    using sock = udpSocket("127.0.0.1", 0);
    const [link] = obj.attachAll({ socket: sock.fd });
    expect(link!.target).toBe(`socket fd ${sock.fd.raw}`);
    expect(() => attachSocketFilter(prog, 0x7ffff)).toThrow(AttachError);
    expect(() => attachSocketFilter(prog, 0x7ffff)).toThrow(/EBADF/);
  });
});
