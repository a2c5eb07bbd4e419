// Sends real UDP datagrams and TCP connection attempts to a host (run inside a netns).
// usage: node send-packets.mjs HOST COUNT
import dgram from "node:dgram";
import net from "node:net";

const [host, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 10);
const udp = dgram.createSocket("udp4");
for (let i = 0; i < count; i++) {
  await new Promise((resolve) => udp.send(Buffer.from(`whistler ${i}`), 9999, host, resolve));
}
udp.close();
for (let i = 0; i < count; i++) {
  await new Promise((resolve) => {
    const s = net.connect({ host, port: 9 + i, timeout: 300 });
    s.on("error", resolve).on("timeout", () => { s.destroy(); resolve(); }).on("connect", () => { s.destroy(); resolve(); });
  });
}
