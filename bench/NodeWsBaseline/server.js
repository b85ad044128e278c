'use strict';
// The benchmarks' second baseline: a Node.js hub on the ws package, written as a ws user would
// write it, speaking the part of Switchboard's protocol (docs/protocol.md) that the load
// generator uses, with Switchboard's frame shapes, so that its `switchboard` dialect works here.
//   PORT=18080 [HOST=127.0.0.1] node server.js
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { WebSocketServer, WebSocket } = require('ws');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8080);
const node = `${host}:${port}`;
const heartbeatMs = 30_000; // Switchboard's HeartbeatInterval
const maxMessageBytes = 64 * 1024; // Switchboard's MaxMessageSize
const maxBodyBytes = 64 * 1024; // Switchboard's API body bound
const connectionIdPrefix = randomBytes(4).toString('hex');
let connectionsOpened = 0;

const usersSockets = new Map(); // user id → Set of its sockets
const groupMembers = new Map(); // group name → Set of member sockets

const server = http.createServer(serveApi);
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: maxMessageBytes });

wss.on('connection', (socket, request) => {
  const query = request.url.indexOf('?');
  const user = new URLSearchParams(query < 0 ? '' : request.url.slice(query + 1)).get('user_id')
    || `anon-${randomBytes(6).toString('hex')}`;
  socket.user = user;
  socket.groups = null;
  socket.isAlive = true;
  addMember(usersSockets, user, socket);
  socket.on('message', onMessage);
  socket.on('pong', onPong);
  socket.on('close', onClose);
  socket.on('error', onError);
  const connectionId = `${connectionIdPrefix}-${(++connectionsOpened).toString(16)}`;
  socket.send(JSON.stringify({ type: 'welcome', data: { user_id: user, connection_id: connectionId, node } }));
});

// ws's heartbeat idiom: a socket that has not answered the previous round's ping is terminated.
setInterval(() => {
  for (const socket of wss.clients) {
    if (!socket.isAlive) {
      socket.terminate();
      continue;
    }
    socket.isAlive = false;
    socket.ping();
  }
}, heartbeatMs);

// The socket's handlers are shared functions (`this` is the socket): nothing is allocated per connection for them.
function onMessage(data) {
  this.isAlive = true; // any frame is a sign of life, as with Switchboard
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    return sendError(this, undefined, 'invalid_json', 'a frame is one JSON object');
  }
  if (frame === null || typeof frame !== 'object' || typeof frame.type !== 'string' || frame.type === '') {
    return sendError(this, undefined, 'missing_field', 'a frame needs "type"');
  }
  if (frame.type === 'join') {
    join(this, frame);
  } else {
    route(this, frame);
  }
}

function onPong() {
  this.isAlive = true;
}

function onClose() {
  removeMember(usersSockets, this.user, this);
  if (this.groups !== null) {
    for (const group of this.groups) removeMember(groupMembers, group, this);
  }
}

// ws closes the socket after reporting an error (a message over maxPayload, bad UTF-8); without a listener the process would die.
function onError() {}

function join(socket, frame) {
  if (typeof frame.group !== 'string') return sendError(socket, frame.id, 'missing_field', 'a "join" frame needs "group"');
  (socket.groups ??= new Set()).add(frame.group);
  addMember(groupMembers, frame.group, socket);
  acknowledge(socket, frame.id);
}

function route(socket, frame) {
  const { to, group } = frame;
  if ((to === undefined) === (group === undefined)) {
    return sendError(socket, frame.id, to === undefined ? 'missing_field' : 'invalid_field',
      `a "${frame.type}" frame needs exactly one of "to" and "group"`);
  }
  const recipients = to !== undefined ? usersSockets.get(to) : groupMembers.get(group);
  if (recipients === undefined && group !== undefined) {
    return sendError(socket, frame.id, 'unknown_group', 'the group has no members');
  }
  if (recipients !== undefined) {
    // Switchboard's routed frame: the sender's type and data, with timestamp, from and to or group set.
    const routed = { type: frame.type, data: frame.data, timestamp: unixSeconds(), from: socket.user };
    if (to !== undefined) routed.to = to;
    else routed.group = group;
    sendToAll(recipients, encode(routed));
  }
  acknowledge(socket, frame.id);
}

// POST /ws/broadcast and GET /ws/health; the rest of Switchboard's API is not the bench's.
function serveApi(request, response) {
  if (request.method === 'GET' && request.url === '/ws/health') return answer(response, 200, { status: 'ok' });
  if (request.method !== 'POST' || request.url !== '/ws/broadcast') return answer(response, 404, { error: 'not_found', message: 'no such route' });
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= maxBodyBytes) chunks.push(chunk);
  });
  request.on('end', () => {
    if (size > maxBodyBytes) return answer(response, 413, { error: 'too_large', message: `at most ${maxBodyBytes} bytes` });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks));
    } catch {
      return answer(response, 400, { error: 'invalid_json', message: 'the body is one JSON object' });
    }
    if (body === null || typeof body.type !== 'string' || body.type === '') {
      return answer(response, 400, { error: 'missing_field', message: 'the body needs "type"' });
    }
    sendToAll(wss.clients, encode({ type: body.type, data: body.data, timestamp: unixSeconds(), from: 'server' }));
    answer(response, 202, { accepted: true });
  });
}

// Encoded once per message: every recipient's socket is handed the same buffer.
function encode(frame) {
  return Buffer.from(JSON.stringify(frame));
}

function sendToAll(sockets, message) {
  for (const socket of sockets) {
    if (socket.readyState === WebSocket.OPEN) socket.send(message, { binary: false });
  }
}

function acknowledge(socket, id) {
  if (id !== undefined) socket.send(JSON.stringify({ type: 'ack', id }));
}

function sendError(socket, id, code, message) {
  socket.send(JSON.stringify({ type: 'error', id, data: { code, message } }));
}

function addMember(sets, key, socket) {
  const members = sets.get(key);
  if (members === undefined) sets.set(key, new Set([socket]));
  else members.add(socket);
}

function removeMember(sets, key, socket) {
  const members = sets.get(key);
  if (members !== undefined && members.delete(socket) && members.size === 0) sets.delete(key);
}

function unixSeconds() {
  return Math.floor(Date.now() / 1000);
}

function answer(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

server.listen(port, host, () => console.error(`node ws baseline listening on ${node}`));
