/**
 * Reads a hook route's request body with its size limit enforced while streaming: a declared
 * Content-Length over the limit is refused before reading, and a chunked body is cut off as soon
 * as it passes the limit (413, connection closed, the rest never read). Then charset, depth and
 * JSON checks (`parseJsonBody`); the decoded value replaces `req.body`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parseJsonBody } from '../hooks/decide/json-body.js';

/** Middleware reading and decoding a JSON body of at most `limit` bytes. */
export function jsonBodyReader(limit: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const tooLarge = (): void => {
      // Closing is the only way to stop a client mid-upload; the socket goes once the answer is out.
      res.set('Connection', 'close');
      res.on('finish', () => req.socket.destroy());
      res.status(413).json({ error: `body larger than ${limit} bytes` });
    };
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      res.set('Connection', 'close');
      res.on('finish', () => req.socket.destroy());
      res.status(415).json({ error: `unsupported Content-Encoding "${encoding.slice(0, 40)}": send the body uncompressed` });
      return;
    }
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    const cleanup = (): void => {
      finished = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    const onData = (chunk: Buffer): void => {
      if (finished) return;
      received += chunk.length;
      if (received > limit) {
        cleanup();
        req.pause();
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (finished) return;
      cleanup();
      const decoded = parseJsonBody(Buffer.concat(chunks, received), req.get('content-type'));
      if (!decoded.ok) {
        res.status(decoded.status).json({ error: decoded.reason });
        return;
      }
      req.body = decoded.value;
      next();
    };
    const onError = (): void => {
      if (finished) return;
      cleanup();
      // The client went away mid-body; nobody reads an answer, so the socket is simply dropped.
      req.socket.destroy();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  };
}
