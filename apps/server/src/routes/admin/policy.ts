import { BlockList, isIP } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AdminPolicy,
  AdminPolicyPatch,
  ErrorReply,
  type HostSessionLimit,
} from '@popgate/contracts';
import { audit } from '../../audit/audit-log';
import { auditOrigin } from '../audit-origin';
import { HttpError } from '../../plugins/errors';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply };

/** Every network must be CIDR ("10.0.0.0/8", "2001:db8::/32") or a single address. */
function checkNetworks(field: string, networks: string[]): void {
  for (const entry of networks) {
    const [address, prefix] = entry.trim().split('/');
    const family = isIP(address ?? '');
    const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
    const valid =
      family !== 0 && Number.isInteger(bits) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
    if (valid) {
      try {
        new BlockList().addSubnet(address!, bits, family === 4 ? 'ipv4' : 'ipv6');
        continue;
      } catch {
        // falls through to the error
      }
    }
    throw new HttpError(
      400,
      'VALIDATION',
      `body/${field} has "${entry}", which is not a network like 10.0.0.0/8`,
    );
  }
}

/** The policy's fields, as the contract declares them: the only columns this route reads or writes. */
const POLICY_FIELDS = Object.keys(AdminPolicy.properties) as (keyof AdminPolicy)[];

function pickPolicy<T extends Partial<AdminPolicy>>(source: T): Partial<AdminPolicy> {
  const picked: Record<string, unknown> = {};
  for (const field of POLICY_FIELDS) {
    if (source[field] !== undefined) picked[field] = source[field];
  }
  return picked as Partial<AdminPolicy>;
}

/** The policy row as the contract reads it (hostSessionLimits is a JSON column the route alone writes). */
const toPolicy = (row: Omit<AdminPolicy, 'hostSessionLimits'> & { hostSessionLimits: unknown }) =>
  pickPolicy(row as AdminPolicy) as AdminPolicy;

/**
 * Host names as the sync compares them (lower case, no trailing dot), each once: a name listed
 * twice would leave which limit holds to chance.
 */
function normalizeHostLimits(limits: HostSessionLimit[]): HostSessionLimit[] {
  const seen = new Set<string>();
  return limits.map(({ host, sessions }) => {
    const name = host.trim().toLowerCase().replace(/\.$/, '');
    if (seen.has(name)) {
      throw new HttpError(400, 'VALIDATION', `body/hostSessionLimits names ${name} twice`);
    }
    seen.add(name);
    return { host: name, sessions };
  });
}

/** The admin policy: read it, and change it (applies to new connections at once). */
export const adminPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;

  app.get(
    '/api/admin/policy',
    {
      schema: {
        tags: ['admin'],
        summary: 'The admin policy',
        response: { 200: AdminPolicy, ...errors },
      },
    },
    async () => toPolicy(await prisma.policy.findUniqueOrThrow({ where: { id: 1 } })),
  );

  app.patch(
    '/api/admin/policy',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change the admin policy (any subset of fields)',
        body: AdminPolicyPatch,
        response: { 200: AdminPolicy, ...errors },
      },
    },
    async (request) => {
      const change = pickPolicy(request.body);
      if (change.allowedNetworks) checkNetworks('allowedNetworks', change.allowedNetworks);
      if (change.refusedNetworks) checkNetworks('refusedNetworks', change.refusedNetworks);
      const normalizeHosts = (hosts?: string[]) =>
        hosts?.map((h) => h.trim().toLowerCase()).filter(Boolean);
      const before = await prisma.policy.findUniqueOrThrow({ where: { id: 1 } });
      const after = await prisma.policy.update({
        where: { id: 1 },
        data: {
          ...change,
          ...(change.allowedHosts && { allowedHosts: normalizeHosts(change.allowedHosts) }),
          ...(change.refusedHosts && { refusedHosts: normalizeHosts(change.refusedHosts) }),
          ...(change.hostSessionLimits && {
            hostSessionLimits: normalizeHostLimits(change.hostSessionLimits),
          }),
        },
      });
      // Only what the save changed: a form sends every field, most of them as they were.
      const changed = Object.fromEntries(
        Object.keys(change)
          .map((key) => ({
            key,
            from: (before as Record<string, unknown>)[key],
            to: (after as Record<string, unknown>)[key],
          }))
          .filter(({ from, to }) => !isDeepStrictEqual(from, to))
          .map(({ key, from, to }) => [key, { from, to }]),
      );
      if (Object.keys(changed).length > 0) {
        await audit(prisma, auditOrigin(request), {
          action: 'admin.policy_changed',
          actor: request.user,
          targetType: 'policy',
          details: changed,
        });
      }
      return toPolicy(after);
    },
  );
};
