import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { BODY_LIMIT_BYTES } from './json-body';

/**
 * How much of a refused body the API still reads, and discards, so that its client gets to read
 * the 413: nginx's lingering close, bounded by time (nginx's `lingering_time` is also 30 s) and by
 * the size the client declares. Past either bound the connection is closed, as before.
 * Not frozen: a test shortens `maxMs` to see the bound hold without waiting 30 s.
 */
export const REFUSED_BODY_DRAIN = { maxMs: 30_000, maxDeclaredBytes: 64 * 1024 * 1024 };

/**
 * Called for a 413 (the body is over BODY_LIMIT_BYTES). Fastify refuses such a body before reading
 * it and answers with `Connection: close`; Node then closes the socket while the client's body is
 * still arriving, and a close with unread data is a TCP reset, which throws away the 413 before a
 * client that writes its whole body before reading (most HTTP libraries) reads it: the client sees
 * EPIPE or ECONNRESET instead of a refusal that names the limit.
 *
 * So the connection stays open: Node reads the rest of the body and discards it (what it does for
 * any request whose handler did not read its body), the client reads the 413 once it has written,
 * and the connection serves its next request. A client that asked to close (`Connection: close`,
 * as Python's urllib sends, or HTTP/1.0) gets the end of the connection after the 413 (a FIN), and
 * the socket is closed once its body is in. A body that has not ended `maxMs` after the refusal
 * (a stalled or endless client) gets the socket closed; one declared larger than
 * `maxDeclaredBytes` keeps Fastify's immediate close, since reading it would cost more than the
 * client's refusal is worth.
 */
export function drainRefusedBody(request: IncomingMessage, reply: FastifyReply, bounds = REFUSED_BODY_DRAIN): void {
  if (request.complete) return;
  const declared = Number(request.headers['content-length']);
  if (declared > bounds.maxDeclaredBytes) return;
  void reply.removeHeader('connection');
  const socket = request.socket;
  const bound = setTimeout(() => {
    if (!request.complete) socket.destroy();
  }, bounds.maxMs).unref();
  // Not held for the whole bound once the body is in (or the connection gone).
  const done = () => clearTimeout(bound);
  request.once('end', done).once('close', done);
  if (!reply.raw.shouldKeepAlive) {
    // Node ends a connection that is not kept alive with destroySoon() once the answer is
    // written, which destroys the socket (a reset, over unread data) as soon as the answer is
    // flushed. This socket serves no further request: end it there, and destroy it once the body
    // has been read (or the bound above has passed).
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
