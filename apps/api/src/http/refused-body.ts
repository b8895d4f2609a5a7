import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BODY_LIMIT_BYTES } from './json-body';

/**
 * How much of a body nobody reads the API still reads, and discards: nginx's lingering close,
 * bounded by time (nginx's `lingering_time` is also 30 s) and by size (declared, or counted as a
 * chunked body arrives). Past either bound the connection is closed.
 * Not frozen: a test shortens the bounds to see them hold without waiting 30 s.
 */
export const REFUSED_BODY_DRAIN = { maxMs: 30_000, maxBytes: 64 * 1024 * 1024 };

/** A request is drained once: when an onSend hook fails, Fastify sends an error answer through onSend again. */
const draining = new WeakSet<IncomingMessage>();

/**
 * Every answer sent before its request's body was read goes through `drainRefusedBody`: a 413
 * (Fastify stops reading at BODY_LIMIT_BYTES), a 415 (no parser for the content type), and any
 * route that answers without parsing. Without it Node discards such a body for as long as the
 * client sends it, bounded only by `requestTimeout` (5 minutes).
 */
export function drainUnreadBodies(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) drainRefusedBody(request.raw, reply);
    done(null, payload);
  });
}

/**
 * A 413 is why this exists. Fastify refuses a body over the limit before reading it and answers
 * with `Connection: close`; Node then closes the socket while the client's body is still arriving,
 * and a close with unread data is a TCP reset, which throws away the 413 before a client that
 * writes its whole body before reading (most HTTP libraries) reads it: the client sees EPIPE or
 * ECONNRESET instead of a refusal that names the limit.
 *
 * So the connection stays open: the rest of the body is read and discarded, the client reads the
 * answer once it has written, and the connection serves its next request. A client that asked to
 * close (`Connection: close`, as Python's urllib sends, or HTTP/1.0) gets the end of the connection
 * after the answer (a FIN), and the socket is closed once its body is in. A body that has not ended
 * `maxMs` after the answer (a stalled or endless client), or of which more than `maxBytes`
 * arrives, gets the socket closed; one declared larger than that is not read at all: the answer
 * closes the connection, since reading the body would cost more than the client's refusal is worth.
 */
export function drainRefusedBody(request: IncomingMessage, reply: FastifyReply, bounds = REFUSED_BODY_DRAIN): void {
  if (request.complete || draining.has(request)) return;
  draining.add(request);
  const declared = Number(request.headers['content-length']);
  if (declared > bounds.maxBytes) {
    void reply.header('connection', 'close');
    return;
  }
  void reply.removeHeader('connection');
  const socket = request.socket;
  const bound = setTimeout(() => {
    if (!request.complete) socket.destroy();
  }, bounds.maxMs).unref();
  // Not held for the whole bound once the body is in (or the connection gone).
  const done = () => clearTimeout(bound);
  request.once('end', done).once('close', done);
  // Read here rather than left to Node, which discards a body without counting it: a chunked body
  // declares no size, and the bound on bytes must hold for it too.
  let read = 0;
  request.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > bounds.maxBytes) socket.destroy();
  });
  request.resume();
  if (!reply.raw.shouldKeepAlive) {
    // Node ends a connection that is not kept alive with destroySoon() once the answer is
    // written, which destroys the socket (a reset, over unread data) as soon as the answer is
    // flushed. This socket serves no further request: end it there, and destroy it once the body
    // has been read (or a bound above has been passed).
    socket.destroySoon = () => {
      socket.end();
      if (request.complete) socket.destroy();
      else request.once('end', () => socket.destroy());
    };
  }
}

/**
 * `Expect: 100-continue` (curl sends it for bodies over 1 MB) asks whether to send the body at all.
 * Node answers "100 Continue" to every such request unless the server listens for `checkContinue`;
 * here a body declared over the limit is answered with the 413 straight away, so the client never
 * sends what would be refused. Any other request is continued and handled as usual.
 */
export function refuseOversizedBeforeContinue(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    if (!(Number(request.headers['content-length']) > BODY_LIMIT_BYTES)) response.writeContinue();
    server.emit('request', request, response);
  });
}
