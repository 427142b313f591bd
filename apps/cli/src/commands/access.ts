import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { AUDIT_GENESIS } from '@parley/store';
import type { StationHandle } from '@parley/store';
import { ParleyError } from '@parley/core';
import {
  anchorSigner,
  verifyAuditRecords,
  createToken,
  listTokens,
  parseExpiry,
  parseRole,
  revokeToken,
  setUserDisabled,
  setUserRole,
} from '@parley/station';
import { print } from '../output.js';
import { DATA_OPTION, withStation } from './station.js';

// Taking access back from the command line: tokens (create with an expiry, list, revoke) and
// operators (disable, enable, role). They act on the station's store directly, so they work
// beside a running station: its next request reads the change. Each change is audited, signed
// with the station key (ADR 0004), under the actor `cli:<OS user>`.

const fmtTime = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** Appends an audit record of a command-line change, anchored with the station key. */
async function auditCli(
  s: StationHandle,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    // no user database entry (a container); keep 'unknown'
  }
  await s.store.appendAudit(
    { ts: Date.now(), actor: `cli:${who}`, action, detail: { via: 'cli', ...detail } },
    anchorSigner({ station: s.station, signer: () => s.writer.currentSigner }),
  );
}

export function registerAccessCommands(program: Command): void {
  const token = program
    .command('token')
    .description('operator API bearer tokens: create (optionally expiring), list, revoke');
  token
    .command('create')
    .description(
      'create a bearer token for a role and print it (only its hash is stored); with --expires it stops working then',
    )
    .option(...DATA_OPTION)
    .requiredOption('--role <role>', 'viewer, operator, linguist, approver or admin')
    .option('--label <label>', 'who or what the token is for', '')
    .option(
      '--expires <when>',
      'a duration from now (90m, 12h, 30d, 2w) or an ISO 8601 UTC time, e.g. 2027-01-31T00:00Z',
    )
    .action(async (opts: { data: string; role: string; label: string; expires?: string }) => {
      const role = parseRole(opts.role);
      const now = Date.now();
      const expires = opts.expires !== undefined ? parseExpiry(opts.expires, now) : null;
      await withStation(opts.data, async (s) => {
        const t = await createToken(s.store, role, opts.label, now, expires);
        await auditCli(s, 'token-add', { role, label: opts.label, expires });
        print(t);
      });
    });
  token
    .command('list')
    .description(
      'list tokens: id, state (active, expired, revoked), role, label, expiry; never the token',
    )
    .option(...DATA_OPTION)
    .option('--json', 'print the list as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      await withStation(opts.data, async (s) => {
        const list = await listTokens(s.store, Date.now());
        if (opts.json) return print(JSON.stringify(list));
        if (list.length === 0) return print('no tokens');
        for (const t of list)
          print(
            `${t.id}  ${t.state.padEnd(7)}  ${t.role.padEnd(8)}  expires ${fmtTime(t.expires)}  ${t.label || '-'}`,
          );
      });
    });
  token
    .command('revoke')
    .description(
      'revoke a token by its id (from token list; 8 or more hex digits): it stops working at once',
    )
    .option(...DATA_OPTION)
    .argument('<id>', 'token id or an unambiguous prefix of it')
    .action(async (id: string, opts: { data: string }) => {
      await withStation(opts.data, async (s) => {
        const t = await revokeToken(s.store, id, Date.now());
        await auditCli(s, 'token-revoke', { id: t.id, label: t.label });
        print(`revoked token ${t.id} (${t.role}${t.label ? `, ${t.label}` : ''})`);
      });
    });
}

/** `parley user disable|enable|role` (beside `parley user add`). */
export function registerUserAccessCommands(user: Command): void {
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(verb)
      .description(
        disabled
          ? 'disable an operator: sign-in is refused and their sessions end at once (never the last enabled admin)'
          : 'enable a disabled operator',
      )
      .option(...DATA_OPTION)
      .argument('<name>', 'operator name')
      .action(async (name: string, opts: { data: string }) => {
        await withStation(opts.data, async (s) => {
          const r = await setUserDisabled(s.store, name, disabled, null);
          await auditCli(s, `user-${verb}`, { name });
          print(
            disabled
              ? `disabled ${name}; ended ${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'}`
              : `enabled ${name}`,
          );
        });
      });
  }
  user
    .command('role')
    .description(
      "change an operator's role; their sessions have it from their next request (never demotes the last enabled admin)",
    )
    .option(...DATA_OPTION)
    .argument('<name>', 'operator name')
    .argument('<role>', 'viewer, operator, linguist, approver or admin')
    .action(async (name: string, role: string, opts: { data: string }) => {
      await withStation(opts.data, async (s) => {
        const u = await setUserRole(s.store, name, role, null);
        await auditCli(s, 'user-role', { name, role: u.role });
        print(`${name} is now ${u.role}`);
      });
    });
}

/**
 * `parley audit seal`: signs the audit records written before anchoring existed (schema < 5),
 * once, right after the upgrade (ADR 0004). It refuses when the hash chain does not verify or when
 * any record is anchored already: a log that was anchored and lost its anchors is a log someone
 * tampered with, and signing it would bless the tampering.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the operator audit log');
  audit
    .command('seal')
    .description(
      'sign the audit records from before anchoring (after upgrading to schema 5); refuses a log whose chain does not verify or that has any anchor already',
    )
    .option(...DATA_OPTION)
    .action(async (opts: { data: string }) => {
      await withStation(opts.data, async (s) => {
        if ((await s.store.auditAnchors({ limit: 1 })).length > 0)
          throw new ParleyError(
            'PARLEY_E_AUDIT_SEAL_REFUSED',
            'the audit log has anchored records already; a seal is only for a log from before anchoring',
            {},
          );
        const records = await s.store.audit();
        const broken = verifyAuditRecords(records, { seq: 0, hash: AUDIT_GENESIS });
        if (broken !== null)
          throw new ParleyError(
            'PARLEY_E_AUDIT_SEAL_REFUSED',
            `audit record ${broken} does not chain to the one before it; the log is not sealed`,
            { seq: broken },
          );
        const sign = anchorSigner({ station: s.station, signer: () => s.writer.currentSigner });
        for (const r of records) await s.store.addAuditAnchor(sign(r.seq, r.hash));
        await auditCli(s, 'audit-seal', { records: records.length });
        print(`sealed ${records.length} audit record${records.length === 1 ? '' : 's'}`);
      });
    });
}
