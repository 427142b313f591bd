import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ParleyError } from '@parley/core';
import type { TrackParty } from '@parley/core';
import { parsePublicKey, safetyNumber, stationIdFromKey } from '@parley/ledger';
import { parsePathUrl } from '@parley/link';
import { buildStation, generateTlsIdentity, parseLimitArgs } from '@parley/station';
import { print } from '../output.js';
import { DATA_OPTION, withStation } from './station.js';

const TLS_DIR = 'tls';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseMs(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10 || n > 3_600_000)
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} is not 10–3600000 ms`,
      { value },
    );
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `port ${JSON.stringify(value)} is not 0–65535`,
      { value },
    );
  return n;
}

function parseStaleMin(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1440)
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `--stale-min ${JSON.stringify(value)} is not 1–1440 minutes`,
      { value },
    );
  return n;
}

function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  if (!m)
    throw new ParleyError(
      'PARLEY_E_INVALID_ARGUMENT',
      `--cot-push ${JSON.stringify(value)} is not host:port`,
      { value },
    );
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: parsePort(m[2]!) };
}

const PARTIES = ['own', 'other', 'third'] as const;

function parsePartyPairs(value: string): [TrackParty, TrackParty][] {
  return value.split(',').map((pair) => {
    const [a, b, ...rest] = pair.trim().split('-');
    const ok = (p: string | undefined): p is TrackParty =>
      (PARTIES as readonly (string | undefined)[]).includes(p);
    if (!ok(a) || !ok(b) || rest.length > 0)
      throw new ParleyError(
        'PARLEY_E_INVALID_ARGUMENT',
        `--screen ${JSON.stringify(pair)} is not a pair like own-other (parties: own, other, third)`,
        { value: pair },
      );
    return [a, b];
  });
}

export function registerServerCommands(program: Command): void {
  program
    .command('start')
    .description(
      'run the station (API, link to its peers, heartbeats) until SIGINT or SIGTERM; prints its URL first',
    )
    .option(...DATA_OPTION)
    .option('--host <host>', 'address to listen on (loopback by default)', '127.0.0.1')
    .option('--port <n>', 'port to listen on; 0 picks a free one', '7300')
    .option('--heartbeat-ms <ms>', 'heartbeat interval on every transport path', '60000')
    .option('--pull-wait-ms <ms>', 'how long a pull waits for new entries (long poll)', '20000')
    .option('--tls', 'serve https with the certificate made by `parley tls init` (DIR/tls/)')
    .option('--tls-cert <file>', 'PEM certificate to serve https (peers pin it)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option(
      '--log-level <level>',
      'pino log level on stderr: fatal, error, warn, info, debug',
      'info',
    )
    .option(
      '--store <url>',
      "the station's PostgreSQL database, overriding the URL recorded by `parley init --store`",
    )
    .option(
      '--cot-port <n>',
      'accept a TAK-style CoT stream (XML events over TCP) on this port; off by default',
    )
    .option('--cot-host <host>', 'address for the CoT input (loopback by default)', '127.0.0.1')
    .option(
      '--cot-push <host:port>',
      "push the picture (own feeds' tracks, encounter CPA lines) as CoT to a TAK server's TCP input",
    )
    .option('--stale-min <min>', 'a track not reported for this long is stale (not screened)', '10')
    .option(
      '--screen <pairs>',
      'party pairs screened for encounters, comma-separated: own-other, own-third, other-third',
      'own-other',
    )
    .option(
      '--limit <name=value>',
      'a resource limit, e.g. streamsPerUser=4 or maxConnectionsPerSource=256 (repeatable; docs/deploy.md lists them)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option(
      '--lease-ms <ms>',
      'PostgreSQL: how long the leading process holds the lease between renewals (failover takes about this long)',
      '3000',
    )
    .action(
      async (opts: {
        data: string;
        host: string;
        port: string;
        heartbeatMs: string;
        pullWaitMs: string;
        tls?: boolean;
        tlsCert?: string;
        tlsKey?: string;
        logLevel: string;
        store?: string;
        leaseMs: string;
        cotPort?: string;
        cotHost: string;
        cotPush?: string;
        screen: string;
        staleMin: string;
        limit: string[];
      }) => {
        if (opts.tls) {
          opts.tlsCert ??= join(opts.data, TLS_DIR, 'cert.pem');
          opts.tlsKey ??= join(opts.data, TLS_DIR, 'key.pem');
        }
        if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) {
          throw new ParleyError(
            'PARLEY_E_INVALID_ARGUMENT',
            '--tls-cert and --tls-key go together',
            {},
          );
        }
        const tls =
          opts.tlsCert && opts.tlsKey
            ? {
                cert: await readFile(opts.tlsCert, 'utf8'),
                key: await readFile(opts.tlsKey, 'utf8'),
              }
            : undefined;
        const station = await buildStation({
          dataDir: opts.data,
          heartbeatMs: parseMs(opts.heartbeatMs, '--heartbeat-ms'),
          pullWaitMs: parseMs(opts.pullWaitMs, '--pull-wait-ms'),
          logger: { level: opts.logLevel },
          ...(tls ? { tls } : {}),
          ...(opts.store !== undefined ? { storeUrl: opts.store } : {}),
          leaseMs: parseMs(opts.leaseMs, '--lease-ms'),
          limits: parseLimitArgs(opts.limit),
          tracks: {
            partyPairs: parsePartyPairs(opts.screen),
            staleMs: parseStaleMin(opts.staleMin) * 60_000,
          },
          cot: {
            ...(opts.cotPort !== undefined
              ? { listen: { host: opts.cotHost, port: parsePort(opts.cotPort) } }
              : {}),
            ...(opts.cotPush !== undefined ? { push: parseHostPort(opts.cotPush) } : {}),
          },
        });
        const url = await station.listen({ host: opts.host, port: parsePort(opts.port) });
        print(url);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await station.close();
      },
    );

  const tls = program
    .command('tls')
    .description("the station's self-signed TLS certificate, pinned by its peers");
  tls
    .command('init')
    .description(
      'create DIR/tls/cert.pem and DIR/tls/key.pem (0600); give cert.pem to the peer with your public key',
    )
    .option(...DATA_OPTION)
    .action(async (opts: { data: string }) => {
      await withStation(opts.data, async (s) => {
        const dir = join(opts.data, TLS_DIR);
        const exists = await stat(join(dir, 'cert.pem')).then(
          () => true,
          () => false,
        );
        if (exists) {
          throw new ParleyError(
            'PARLEY_E_INVALID_ARGUMENT',
            `${join(dir, 'cert.pem')} exists; remove it first to make a new one`,
            {},
          );
        }
        const id = await generateTlsIdentity(`parley ${s.station}`);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        for (const [file, text, mode] of [
          ['key.pem', id.key, 0o600],
          ['cert.pem', id.cert, 0o644],
        ] as const) {
          const fh = await open(join(dir, file), 'wx', mode);
          await fh.writeFile(text);
          await fh.sync();
          await fh.close();
        }
        print(`certificate ${join(dir, 'cert.pem')}`);
        print(`SHA-256 fingerprint ${id.fingerprint}`);
      });
    });

  const peer = program
    .command('peer')
    .description('pair with another station and manage its transport paths');
  peer
    .command('add')
    .description(
      'pair with a station: its public key (check its safety number out of band) and one or more transport URLs',
    )
    .option(...DATA_OPTION)
    .requiredOption('--name <name>', 'a local name for the peer, e.g. "PLA Southern Theater"')
    .requiredOption(
      '--key <pubkey>',
      "the peer's GENESIS public key (base64url; `parley key --genesis` on the peer): the station id derives from it, and later keys are followed over the link",
    )
    .requiredOption(
      '--url <url>',
      'a transport path, http(s)://host:port; repeat for independent paths, most preferred first',
      collect,
      [],
    )
    .option(
      '--tls-cert <file>',
      "the peer's self-signed TLS certificate (PEM) to pin for https paths",
    )
    .action(
      async (opts: {
        data: string;
        name: string;
        key: string;
        url: string[];
        tlsCert?: string;
      }) => {
        const key = parsePublicKey(opts.key);
        const urls = opts.url.map((u) => parsePathUrl(u).href.replace(/\/$/, ''));
        if (urls.length === 0)
          throw new ParleyError('PARLEY_E_BAD_URL', 'at least one --url is needed', {});
        const tlsCert = opts.tlsCert ? await readFile(opts.tlsCert, 'utf8') : null;
        if (urls.some((u) => u.startsWith('https:')) && !tlsCert) {
          throw new ParleyError(
            'PARLEY_E_INVALID_ARGUMENT',
            'https paths need --tls-cert (the certificate to pin)',
            {},
          );
        }
        await withStation(opts.data, async (s) => {
          const station = stationIdFromKey(key);
          if (station === s.station)
            throw new ParleyError(
              'PARLEY_E_INVALID_ARGUMENT',
              "that is this station's own key",
              {},
            );
          await s.store.addPeer({
            name: opts.name,
            station,
            key,
            urls,
            tlsCert,
            added: Date.now(),
          });
          print(
            `paired with ${opts.name} (${station}) over ${urls.length} path(s): ${urls.join(', ')}`,
          );
          print(
            `safety number ${safetyNumber(key)}: compare it with the peer over another channel`,
          );
        });
      },
    );
  peer
    .command('repin')
    .description(
      "accept a peer's emergency key rotation (its old key compromised): checks the new key's safety number, read with the peer over another channel, and records a key-repin entry",
    )
    .argument('<name>', 'the peer')
    .option(...DATA_OPTION)
    .requiredOption('--key <pubkey>', "the peer's new public key (base64url)")
    .requiredOption('--safety-number <digits>', "the new key's safety number, as the peer read it")
    .option('--by <name>', 'who re-pins (recorded in the entry)', 'cli')
    .action(
      async (
        name: string,
        opts: { data: string; key: string; safetyNumber: string; by: string },
      ) => {
        await withStation(opts.data, async (s) => {
          const r = await s.repinPeer({
            name,
            key: opts.key,
            safety: opts.safetyNumber,
            by: opts.by,
          });
          print(
            `re-pinned ${name} (${r.station}) to ${r.key} at seq ${r.entry.entry.seq}: its emergency rotation onto that key is accepted (a running station picks this up within seconds)`,
          );
        });
      },
    );
  peer
    .command('list')
    .description('list paired peers (JSON lines)')
    .option(...DATA_OPTION)
    .action(async (opts: { data: string }) => {
      await withStation(opts.data, async (s) => {
        for (const p of await s.store.peers())
          print(JSON.stringify({ name: p.name, station: p.station, key: p.key, urls: p.urls }));
      });
    });
  peer
    .command('resume')
    .description(
      "accept a peer's feed again after an equivocation alarm halted it (a running station resumes the link within seconds)",
    )
    .option(...DATA_OPTION)
    .requiredOption('--name <name>', 'the peer to resume')
    .action(async (opts: { data: string; name: string }) => {
      await withStation(opts.data, async (s) => {
        const p = (await s.store.peers()).find((x) => x.name === opts.name);
        if (!p)
          throw new ParleyError(
            'PARLEY_E_PEER_NOT_FOUND',
            `no peer named ${JSON.stringify(opts.name)}`,
            { name: opts.name },
          );
        await s.store.setMeta(`link.halted.${p.station}`, '');
        print(`resumed ${opts.name}`);
      });
    });
}
