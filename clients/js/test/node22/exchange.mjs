// Run by Node.js 22 (global WebSocket) with the endpoint as its argument: two clients made without a WebSocket
// option exchange one message; prints what the recipient got as one JSON line.
import { SwitchboardClient } from "../../dist/index.js";

const [url] = process.argv.slice(2);
const alice = new SwitchboardClient(url, { userId: "global-alice" });
const bob = new SwitchboardClient(url, { userId: "global-bob" });
await Promise.all([alice.connect(), bob.connect()]);
const arrived = new Promise((resolve) => bob.on("message", resolve));
const ack = await alice.send({ to: "global-bob", type: "chat", data: "over the global WebSocket" });
const message = await arrived;
console.log(JSON.stringify({ node: process.versions.node, acked: ack.type, from: message.from, data: message.data }));
alice.close();
bob.close();
