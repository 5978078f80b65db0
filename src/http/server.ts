/**
 * Creates the agent's listeners: plain HTTP, or HTTPS with the web config's certificate, versions
 * and client-certificate policy (the five policies of exporter-toolkit, as Go's `crypto/tls` has them).
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { WebTls } from './web-config-files.js';
import type { ClientAuthType } from './web-config.js';

/** An HTTP or HTTPS server for `app`, not yet listening. */
export function createListener(app: http.RequestListener, tls: WebTls | undefined): http.Server {
  if (tls === undefined) return http.createServer(app);
  const policy = tls.clientAuthType;
  const server = https.createServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      requestCert: policy !== 'NoClientCert',
      // Only the strictest policy lets OpenSSL refuse in the handshake; the others are checked below.
      rejectUnauthorized: policy === 'RequireAndVerifyClientCert',
    },
    app,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    if (!clientCertAllowed(policy, hasCertificate(socket), socket.authorized)) socket.destroy();
  });
  return server;
}

/** Whether a connection may go on, given the policy, whether a certificate was presented and whether it verified. */
function clientCertAllowed(policy: ClientAuthType, presented: boolean, verified: boolean): boolean {
  switch (policy) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return true;
    case 'RequireAnyClientCert':
      return presented;
    case 'VerifyClientCertIfGiven':
      return !presented || verified;
    case 'RequireAndVerifyClientCert':
      return presented && verified;
  }
}

function hasCertificate(socket: TLSSocket): boolean {
  const cert = socket.getPeerCertificate();
  return cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
}
