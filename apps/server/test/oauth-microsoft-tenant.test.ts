import { describe, expect, it } from 'vitest';
import {
  isMicrosoftTenant,
  MICROSOFT_CONSUMERS_TENANT_ID,
  microsoftIssuerFits,
} from '../src/oauth/microsoft-tenant';

const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const issuerOf = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`;

describe("Microsoft's tenants", () => {
  it.each(['common', 'consumers', 'organizations', CONTOSO, 'contoso.onmicrosoft.com'])(
    'takes %s as a tenant',
    (tenant) => expect(isMicrosoftTenant(tenant)).toBe(true),
  );

  it.each([
    '',
    'my tenant',
    'https://login.microsoftonline.com/common',
    '../common',
    'common/v2.0',
  ])('refuses %j as a tenant', (tenant) => expect(isMicrosoftTenant(tenant)).toBe(false));
});

describe('the issuer a Microsoft sign-in may name', () => {
  it.each<[string, string, boolean]>([
    // common: a work account's tenant and the personal accounts' tenant alike.
    ['common', CONTOSO, true],
    ['common', MICROSOFT_CONSUMERS_TENANT_ID, true],
    // consumers: Outlook.com and Hotmail only.
    ['consumers', MICROSOFT_CONSUMERS_TENANT_ID, true],
    ['consumers', CONTOSO, false],
    // organizations: work and school accounts, never a personal one.
    ['organizations', CONTOSO, true],
    ['organizations', MICROSOFT_CONSUMERS_TENANT_ID, false],
    // One tenant: itself only.
    [CONTOSO, CONTOSO, true],
    [CONTOSO.toUpperCase(), CONTOSO, true],
    [CONTOSO, MICROSOFT_CONSUMERS_TENANT_ID, false],
  ])('configured %s, signed in at tenant %s: %s', (configured, tid, fits) => {
    expect(microsoftIssuerFits(configured, issuerOf(tid))).toBe(fits);
    expect(microsoftIssuerFits(configured, issuerOf(tid), tid)).toBe(fits);
  });

  it('accepts the tenant-specific issuer in place of the multi-tenant template, never the template itself', () => {
    expect(microsoftIssuerFits('common', 'https://login.microsoftonline.com/{tenantid}/v2.0')).toBe(
      false,
    );
    expect(microsoftIssuerFits('common', 'https://login.microsoftonline.com/common/v2.0')).toBe(
      false,
    );
  });

  it('refuses a tid that names another tenant than the issuer', () => {
    expect(microsoftIssuerFits('common', issuerOf(CONTOSO), MICROSOFT_CONSUMERS_TENANT_ID)).toBe(
      false,
    );
    expect(microsoftIssuerFits('common', issuerOf(CONTOSO), 42)).toBe(false);
  });

  it.each([
    'https://evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    'http://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/',
    'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
    undefined,
  ])('refuses %s, which is not a Microsoft v2.0 issuer', (iss) => {
    expect(microsoftIssuerFits('common', iss)).toBe(false);
  });
});
