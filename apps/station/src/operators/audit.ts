import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditInput, AuditRecord, Clock, Store } from '@parley/store';
import type { AuditAnchoring } from './audit-verify.js';
import { anchorSigner } from './audit-verify.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route writes its own audit records (login, logout) and the hook skips it. */
    audit?: false;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Audit action names of the operator routes; any other state-changing route is recorded as `METHOD route`. */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  'POST /api/v1/messages': 'send',
  'POST /api/v1/drafts/:id/approve': 'approve',
  'DELETE /api/v1/drafts/:id': 'discard',
  'POST /api/v1/messages/:id/read': 'read',
  'POST /api/v1/messages/:id/understood': 'acknowledge',
  'POST /api/v1/messages/:id/translations': 'translate',
  'POST /api/v1/channels': 'propose',
  'POST /api/v1/channels/:name/accept': 'accept',
  'POST /api/v1/channels/:name/suspend': 'suspend',
  'POST /api/v1/channels/:name/resume': 'resume',
  'POST /api/v1/calls': 'call',
  'POST /api/v1/calls/:id/answer': 'answer-call',
  'POST /api/v1/users': 'user-add',
  'POST /api/v1/users/:name/disable': 'user-disable',
  'POST /api/v1/users/:name/enable': 'user-enable',
  'POST /api/v1/users/:name/role': 'user-role',
  'POST /api/v1/tokens': 'token-add',
  'POST /api/v1/tokens/:id/revoke': 'token-revoke',
};

const SECRET_KEY = /pass(word|phrase)?|secret|token|csrf|cookie|authori[sz]ation|session/i;
const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

/** Lone surrogates (which canonical JSON refuses) become U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');

/**
 * A short, secret-free summary of a request body for the audit log: values of keys that look
 * like secrets are replaced by "[redacted]", strings are cut to 200 characters, arrays to 20
 * items, nesting to 4 levels; the result is plain JSON.
 */
export function summarize(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    const chars = [...wellFormed(value)];
    return chars.length > MAX_STRING ? `${chars.slice(0, MAX_STRING).join('')}…` : chars.join('');
  }
  if (typeof value !== 'object') return value === undefined ? null : String(value);
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summarize(v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, MAX_ITEMS)) {
    if (v === undefined) continue;
    out[wellFormed(k)] = SECRET_KEY.test(k) ? '[redacted]' : summarize(v, depth + 1);
  }
  return out;
}

/** What identifies the outcome in a response body: entry refs, ids, seqs; nothing else. */
function pickResult(payload: unknown): Record<string, unknown> | undefined {
  if (typeof payload !== 'string' || payload.length > 100_000) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    // Deliberate: a reply that is not JSON has no result to record in the audit entry.
    return undefined;
  }
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['entry', 'id', 'seq', 'draft'] as const) {
    const v = b[k];
    if (k === 'draft' && v && typeof v === 'object') out.draft = (v as { id?: unknown }).id ?? null;
    else if (v !== undefined) out[k] = summarize(v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Appends audit records; a failure to record is logged, never turned into the caller's error. */
export class AuditLog {
  /**
   * With `anchoring`, every record is signed with the station's current identity key in the
   * transaction that appends it (ADR 0004), so the chain cannot be rewritten without that key.
   */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly anchoring?: AuditAnchoring,
  ) {}

  async record(
    req: FastifyRequest,
    input: Omit<AuditInput, 'ts' | 'detail'> & { detail: Record<string, unknown> },
  ): Promise<AuditRecord | null> {
    try {
      return await this.store.appendAudit(
        {
          ts: this.clock.now(),
          actor: input.actor,
          action: input.action,
          detail: summarize({ ...input.detail, ip: req.ip }) as Record<string, unknown>,
        },
        this.anchoring ? anchorSigner(this.anchoring) : undefined,
      );
    } catch (err) {
      req.log.error({ err, action: input.action }, 'audit record not written');
      return null;
    }
  }

  /**
   * Installs the hook that records every successful state-changing request of an authenticated
   * operator in this scope: actor and role, method, route pattern, params, a body summary
   * without secrets, the status and the resulting entry or id. It runs on send, so the record
   * is stored before the operator sees the response.
   */
  install(app: FastifyInstance): void {
    app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const actor = req.actor;
      if (
        !actor ||
        !STATE_CHANGING.has(req.method) ||
        reply.statusCode >= 400 ||
        req.idempotentReplay === true ||
        req.routeOptions.config.audit === false
      )
        return payload;
      const route = req.routeOptions.url ?? req.url;
      const result = pickResult(payload);
      await this.record(req, {
        actor: actor.name,
        action: AUDIT_ACTIONS[`${req.method} ${route}`] ?? `${req.method} ${route}`,
        detail: {
          role: actor.role,
          via: actor.via,
          method: req.method,
          route,
          status: reply.statusCode,
          params: req.params ?? {},
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(result ? { result } : {}),
        },
      });
      return payload;
    });
  }
}

export * from './audit-verify.js';
