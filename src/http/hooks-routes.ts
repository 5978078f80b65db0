import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { checkDuration } from '../model/duration.js';
import type { EnsembleState } from '../ensemble/types.js';
import { parseAlertmanagerPayload } from '../hooks/decide/alertmanager.js';
import { checkAuthorization } from '../hooks/auth.js';
import { HookStoreUnavailableError, PEER_VIEW_PATH, type HookService } from '../hooks/service.js';
import { HOOK_EVENTS } from '../model/hook-events.js';
import { jsonBodyReader } from './hooks-body.js';
import type { AuditEntry } from '../hooks/types.js';

/** What the hook routes read besides the service. */
export interface HookRouteSources {
  hooks: HookService;
  maxBodyBytes: number;
  states(): Iterable<EnsembleState>;
  ensembleNames(): string[];
  /** True when the listener requires web config users (basic auth) in front of these routes. @default false */
  webUsers?: boolean;
}

/** The credentials that may use the admin routes, and the receiver's, to tell a wrong scope apart. */
export interface AdminAccess {
  adminTokens: readonly string[];
  receiverTokens: readonly string[];
  /** True when web config users exist (the listener checks them before any route). */
  webUsers: boolean;
}

/**
 * When an admin route is open without credentials:
 * - `never`: ack, pause, resume (disabled while no admin credential is configured);
 * - `no_auth`: hook state reads and reload, open only while no credential of any kind is configured.
 */
export type AdminOpenness = 'never' | 'no_auth';

/** What {@link adminVerdict} decides for one request. */
export type AdminVerdict = { ok: true } | { ok: false; status: 401 | 403; error: string; challenge: boolean };

/** Why a receiver token is refused on an admin route (403: authenticated, not allowed). */
export const RECEIVER_SCOPE_ERROR =
  'the receiver token only allows POST /api/v1/alertmanager; ack, pause, resume, reload and hook status need the admin token (--admin-token-file) or a web config user';

// Requests whose web config basic credentials the listener already verified. Keyed by the request
// object, so nothing outlives the request and nothing a client sends can set it.
const webAuthenticated = new WeakSet<IncomingMessage>();

/** Records that the listener verified `req`'s web config basic credentials (called after basic auth passed). */
export function markWebUser(req: IncomingMessage): void {
  webAuthenticated.add(req);
}

/**
 * Decides an admin route's request. Pure apart from the constant-time token comparisons: a verified
 * web user or the admin token pass; the receiver token gets 403 (it is scoped to posting alerts).
 */
export function adminVerdict(header: string | undefined, webUser: boolean, access: AdminAccess, openness: AdminOpenness): AdminVerdict {
  if (webUser) return { ok: true };
  const adminConfigured = access.adminTokens.length > 0 || access.webUsers;
  const anyConfigured = adminConfigured || access.receiverTokens.length > 0;
  if (openness === 'no_auth' && !anyConfigured) return { ok: true };
  // Both compared every time, whatever the first says: the answer's timing tells nothing of either.
  const isAdmin = checkAuthorization(header, { bearer: [...access.adminTokens] });
  const isReceiver = checkAuthorization(header, { bearer: [...access.receiverTokens] });
  if (isAdmin) return { ok: true };
  if (isReceiver) return { ok: false, status: 403, error: RECEIVER_SCOPE_ERROR, challenge: false };
  if (!adminConfigured) {
    return {
      ok: false,
      status: 401,
      error: 'no admin token (--admin-token-file) and no web config users are configured; this endpoint is disabled',
      challenge: false,
    };
  }
  return { ok: false, status: 401, error: 'missing or invalid admin credentials (admin bearer token or web config user)', challenge: true };
}

/** Middleware applying {@link adminVerdict}; `access` is read per request (a reload may change web users). */
export function adminGuard(access: () => AdminAccess, openness: AdminOpenness): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const verdict = adminVerdict(req.get('authorization'), webAuthenticated.has(req), access(), openness);
    if (verdict.ok) {
      next();
      return;
    }
    if (verdict.challenge) res.set('WWW-Authenticate', 'Bearer');
    res.status(verdict.status).json({ error: verdict.error });
  };
}

const AUDIT_TYPES = ['intent', 'attempt', 'result', 'suppressed', 'skipped', 'ack', 'pause', 'resume', 'duplicate'] as const;

const ackSchema = z.strictObject({
  ensemble: z.string().min(1),
  event: z.enum(HOOK_EVENTS),
  hook: z.string().min(1).optional(),
  by: z.string().min(1),
  comment: z.string().optional(),
});
const pauseSchema = z.strictObject({
  by: z.string().min(1),
  reason: z.string().optional(),
  /** How long, e.g. `30m`; absent = until resumed. */
  for: z.string().optional(),
  ensembles: z.array(z.string().min(1)).optional(),
});
const resumeSchema = z.strictObject({ by: z.string().min(1) });

function reasonOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

/**
 * The Alertmanager receiver and the hooks API. The receiver needs a token of `--receiver-token-file`
 * and takes nothing else; ack, pause, resume and the hook state reads need the admin token
 * (`--admin-token-file`) or a web config user. Without the credential a route needs configured it
 * is refused rather than left open (reads: only while no credential of any kind is configured).
 */
export function createHookRouter(sources: HookRouteSources): Router {
  const router = express.Router();
  const { hooks } = sources;
  // The limit is enforced while streaming; charset and depth are checked before JSON.parse.
  const json = jsonBodyReader(sources.maxBodyBytes);

  const access = (): AdminAccess => ({
    adminTokens: hooks.adminTokens,
    receiverTokens: hooks.receiverTokens,
    webUsers: sources.webUsers ?? false,
  });
  const requireToken = (req: Request, res: Response, next: NextFunction): void => {
    if (hooks.receiverTokens.length === 0) {
      res.status(401).json({ error: 'no receiver token is configured (--receiver-token-file); this endpoint is disabled' });
      return;
    }
    if (!checkAuthorization(req.get('authorization'), { bearer: [...hooks.receiverTokens] })) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'missing or invalid bearer token' });
      return;
    }
    next();
  };
  // Credentials checked before the body is read: an unauthenticated caller cannot make the agent parse anything.
  const guarded = [requireToken, json];
  const admin = [adminGuard(access, 'never'), json];
  const reader = adminGuard(access, 'no_auth');

  router.post('/api/v1/alertmanager', ...guarded, async (req, res) => {
    const parsed = parseAlertmanagerPayload(req.body);
    if (!parsed.ok) {
      res.status(400).json({ error: parsed.reason });
      return;
    }
    // 202 only once the intents are fsynced (concurrent payloads share one fsync): a crash after it loses nothing.
    try {
      const done = await hooks.acceptAlerts(parsed.payload);
      res.status(202).json({ accepted: parsed.payload.alerts.length, ...done });
    } catch (err) {
      // Not durable: Alertmanager retries on 5xx. The service has logged and counted it.
      const reason = err instanceof HookStoreUnavailableError ? err.message : 'hook intents could not be written to the outbox';
      res.status(503).json({ error: reason });
    }
  });

  router.get('/api/v1/hooks/deliveries', reader, (req, res) => {
    const limit = Number(req.query.limit ?? 100);
    const type = req.query.type;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
      return;
    }
    if (type !== undefined && !(AUDIT_TYPES as readonly unknown[]).includes(type)) {
      res.status(400).json({ error: `type must be one of ${AUDIT_TYPES.join(', ')}` });
      return;
    }
    const filter: { hook?: string; ensemble?: string; type?: AuditEntry['type'] } = {};
    if (typeof req.query.hook === 'string') filter.hook = req.query.hook;
    if (typeof req.query.ensemble === 'string') filter.ensemble = req.query.ensemble;
    if (typeof type === 'string') filter.type = type as AuditEntry['type'];
    res.json({ entries: hooks.deliveries(limit, filter) });
  });

  router.get('/api/v1/hooks/status', reader, (_req, res) => {
    res.json(hooks.status(sources.ensembleNames()));
  });

  // Peers send the receiver token when one is configured (the admin token and web users may read it
  // too); without one the view is open, like /metrics.
  const peerAuth = (req: Request, res: Response, next: NextFunction): void => {
    if (hooks.receiverTokens.length === 0 || webAuthenticated.has(req)) {
      next();
      return;
    }
    const header = req.get('authorization');
    const isAdmin = checkAuthorization(header, { bearer: [...hooks.adminTokens] });
    if (isAdmin) next();
    else requireToken(req, res, next);
  };
  router.get(PEER_VIEW_PATH, peerAuth, (_req, res) => {
    res.json(hooks.peerReport(sources.states()));
  });

  router.post('/api/v1/hooks/ack', ...admin, (req, res) => {
    const body = ackSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    if (!sources.ensembleNames().includes(body.data.ensemble)) {
      res.status(404).json({ error: `unknown ensemble "${body.data.ensemble}"` });
      return;
    }
    const { hook, comment, ...rest } = body.data;
    res.json(hooks.acknowledge({ ...rest, ...(hook ? { hook } : {}), ...(comment !== undefined ? { comment } : {}) }));
  });

  router.post('/api/v1/hooks/pause', ...admin, (req, res) => {
    const body = pauseSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    let forMs: number | undefined;
    if (body.data.for !== undefined) {
      const duration = checkDuration(body.data.for);
      if (!duration.ok || duration.ms <= 0) {
        res.status(400).json({ error: `for: ${duration.ok ? 'must be greater than 0' : duration.message}` });
        return;
      }
      forMs = duration.ms;
    }
    const { by, reason, ensembles } = body.data;
    const known = sources.ensembleNames();
    const unknown = (ensembles ?? []).filter((e) => !known.includes(e));
    if (unknown.length > 0) {
      res.status(404).json({ error: `unknown ensemble${unknown.length > 1 ? 's' : ''} ${unknown.map((e) => `"${e}"`).join(', ')}`, known });
      return;
    }
    // The service turns `for` into an end time with its own clock, the one every other hook decision uses.
    res.json(
      hooks.pause({ by, ...(reason ? { reason } : {}), ...(ensembles ? { ensembles } : {}), ...(forMs !== undefined ? { forMs } : {}) }),
    );
  });

  router.post('/api/v1/hooks/resume', ...admin, (req, res) => {
    const body = resumeSchema.safeParse(req.body);
    if (!body.success) {
      res.status(400).json({ error: reasonOf(body.error) });
      return;
    }
    res.json(hooks.resume(body.data));
  });

  return router;
}
