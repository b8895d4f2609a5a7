import { HttpStatus } from '@nestjs/common';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalizedMessage } from '@nws/engine';
import { BODY_CUT_SHORT, make } from './domain-exception.filter';

/**
 * What Node's HTTP parser refuses before Fastify sees a request at all: Fastify's
 * `clientErrorHandler`, in place of its default, which answers a bare "Client Error" and then
 * destroys the socket — a reset, over whatever the client is still sending, which can throw the
 * answer away (as for a refused body, refused-body.ts). Here the answer says which rule the
 * request broke, in the API's error shape, and the socket is ended (a FIN after the answer); it is
 * destroyed once the client has closed its side, or after CLIENT_ERROR_LINGER_MS.
 */
export function clientError(this: unknown, error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset, or a second error on a socket already answered: nothing to say, nobody to say it to.
  if (error.code === 'ECONNRESET' || socket.destroyed || answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  // A complete request's answer still on its way (pipelined before the malformed bytes): written
  // now, the refusal would be read as that request's answer, so it goes after it. A response whose
  // request is incomplete is the refused request's own: the refusal answers it now.
  // (`_httpMessage` is the response Node has attached; Node's own handler looks at it too.)
  const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req.complete) {
    inFlight.once('finish', () => answerClientError(error, socket));
    return;
  }
  answerClientError(error, socket);
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = make(...clientErrorAnswer(error.code));
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
  // Reading on meanwhile (the parser discards what follows its error), so the close is not a reset.
  socket.resume();
  socket.once('end', () => socket.destroy());
  const linger = setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  socket.once('close', () => clearTimeout(linger));
}

/** How long a socket answered for a malformed request stays open for its client to read the answer. */
export const CLIENT_ERROR_LINGER_MS = 2_000;

const answeredSockets = new WeakSet<Duplex>();

function clientErrorAnswer(code: string | undefined): [number, string, LocalizedMessage] {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [HttpStatus.REQUEST_TIMEOUT, 'REQUEST_TIMEOUT', { ja: '(request): リクエスト（ヘッダーと本文）が300秒以内に届きませんでした。', en: '(request): the request (headers and body) did not arrive within 300 s' }];
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'HEADERS_TOO_LARGE', { ja: '(headers): リクエスト行とヘッダーが上限の 16 kB を超えています。', en: '(headers): the request line and headers are larger than the limit of 16 kB' }];
    case 'HPE_INVALID_EOF_STATE':
      return [HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', BODY_CUT_SHORT];
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return [HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', { ja: '(Content-Length): 0以上の整数1つで送ってください（Transfer-Encoding と同時には送れません）。', en: '(Content-Length): must be one non-negative integer, and cannot be sent with Transfer-Encoding' }];
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', { ja: '(Transfer-Encoding): chunked 形式の本文が HTTP/1.1 の形式に従っていないか、Content-Length と同時に送られています。', en: '(Transfer-Encoding): the chunked body does not follow HTTP/1.1, or comes with a Content-Length as well' }];
    case 'HPE_INVALID_HEADER_TOKEN':
      return [HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', { ja: '(headers): ヘッダーの名前または値に HTTP で使えない文字が含まれています。', en: '(headers): a header name or value holds a character HTTP does not allow' }];
    default:
      return [HttpStatus.BAD_REQUEST, 'MALFORMED_REQUEST', { ja: `(request): HTTP/1.1 のリクエストとして解釈できません（${code ?? 'unknown'}）。`, en: `(request): is not a valid HTTP/1.1 request (${code ?? 'unknown'})` }];
  }
}
