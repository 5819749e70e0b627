import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  AccountStatus,
  EventPayloads,
  OutboxStatus,
  Security,
  ServerEvent,
  SmtpAuthMethod,
} from '../src';

const schema = readFileSync(new URL('../../../prisma/schema.prisma', import.meta.url), 'utf8');

/** The values of an enum of prisma/schema.prisma, comments left out. */
function prismaEnum(name: string): string[] {
  const body = new RegExp(`^enum ${name} \\{([^}]*)\\}`, 'm').exec(schema)?.[1];
  if (body === undefined) throw new Error(`prisma/schema.prisma has no enum ${name}`);
  return body
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, '').trim())
    .filter(Boolean);
}

const literals = (union: { anyOf: Array<{ const?: unknown }> }) =>
  union.anyOf.map((member) => member.const);

describe('the account states', () => {
  it('are the values of the database enum, no more and no fewer', () => {
    expect(literals(AccountStatus).sort()).toEqual(prismaEnum('AccountStatus').sort());
  });

  it('are what an account.status event carries', () => {
    const event = { id: '1', type: 'account.status', payload: { accountId: 'a', status: 'ok' } };
    expect(Value.Check(ServerEvent, event)).toBe(true);
    expect(
      Value.Check(ServerEvent, { ...event, payload: { accountId: 'a', status: 'sleeping' } }),
    ).toBe(false);
  });
});

describe('connection security', () => {
  it('is the database enum', () => {
    expect(literals(Security).sort()).toEqual(prismaEnum('Security').sort());
  });
});

describe('an outgoing message', () => {
  it("states are the database enum's", () => {
    expect([...(OutboxStatus as unknown as { enum: string[] }).enum].sort()).toEqual(
      prismaEnum('OutboxStatus').sort(),
    );
  });

  it("SMTP sign-in methods are the database enum's (cram-md5 stored as cram_md5)", () => {
    expect(
      literals(SmtpAuthMethod)
        .map((m) => String(m).replace('-', '_'))
        .sort(),
    ).toEqual(prismaEnum('SmtpAuthMethod').sort());
  });
});

describe('the events', () => {
  it('of the event stream are every event type, each with its payload', () => {
    const members = ServerEvent.anyOf.map((member) => ({
      type: member.properties.type.const,
      payload: member.properties.payload,
    }));
    expect(members.map((member) => member.type).sort()).toEqual(Object.keys(EventPayloads).sort());
    for (const { type, payload } of members) {
      expect(payload).toBe(EventPayloads[type as keyof typeof EventPayloads]);
    }
  });
});
