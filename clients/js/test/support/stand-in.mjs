// A stand-in server for what the service never sends (frames posing as its own, answers of the wrong type): a
// WebSocket server of the test's own on a free loopback port.
import { WebSocketServer } from "ws";

/** A WebSocket server on a free loopback port that sends `greeting` to each connection and hands it each frame. */
export async function standIn(greeting, answer) {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((listening) => server.once("listening", listening));
  server.on("connection", (socket) => {
    for (const frame of greeting) socket.send(JSON.stringify(frame));
    socket.on("message", (raw) => answer(socket, JSON.parse(String(raw))));
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}/ws`,
    close: () => {
      for (const socket of server.clients) socket.terminate();
      return new Promise((closed) => server.close(closed));
    },
  };
}
