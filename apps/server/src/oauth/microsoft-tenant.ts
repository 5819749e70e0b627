/** Microsoft's multi-tenant authorities: any account of that kind, from any tenant. */
export const MICROSOFT_SHARED_TENANTS = ['common', 'consumers', 'organizations'] as const;

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant's verified domain (contoso.onmicrosoft.com) names it as well as its id. */
const TENANT_DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** common, consumers, organizations, a tenant id (a GUID) or a tenant's domain. */
export const isMicrosoftTenant = (tenant: string): boolean =>
  (MICROSOFT_SHARED_TENANTS as readonly string[]).includes(tenant) ||
  TENANT_ID.test(tenant) ||
  TENANT_DOMAIN.test(tenant);

export const MICROSOFT_TENANT_HINT =
  'must be common, consumers, organizations, or a tenant id (a GUID) or domain';

/** The tenant of personal Microsoft accounts (Outlook.com, Hotmail, Live): all of them sign in there. */
export const MICROSOFT_CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/;

/**
 * Whether an issuer Microsoft names (in an ID token, or as `iss` in the redirect) fits the
 * configured tenant. Its multi-tenant authorities publish the issuer as a template
 * (https://login.microsoftonline.com/{tenantid}/v2.0): the real one names the tenant of the person
 * who signed in, `https://login.microsoftonline.com/<tid>/v2.0`, and is accepted when that tenant
 * is one the configured authority serves: common any, consumers only the personal accounts'
 * tenant, organizations any other; a configured tenant id only itself. `tid`, when the ID token
 * carries it, must name the same tenant. A tenant configured by its domain cannot be told from
 * its id here: its discovery document's exact issuer is what the token is held to.
 */
export function microsoftIssuerFits(configured: string, iss: unknown, tid?: unknown): boolean {
  if (typeof iss !== 'string') return false;
  const named = ISSUER.exec(iss)?.[1]?.toLowerCase();
  if (!named || !TENANT_ID.test(named)) return false;
  if (tid !== undefined && (typeof tid !== 'string' || tid.toLowerCase() !== named)) return false;
  switch (configured.toLowerCase()) {
    case 'common':
      return true;
    case 'consumers':
      return named === MICROSOFT_CONSUMERS_TENANT_ID;
    case 'organizations':
      return named !== MICROSOFT_CONSUMERS_TENANT_ID;
    default:
      return TENANT_ID.test(configured) ? named === configured.toLowerCase() : true;
  }
}

/** A multi-tenant authority, whose issuer differs from one sign-in to the next. */
export const isSharedMicrosoftTenant = (tenant: string) =>
  (MICROSOFT_SHARED_TENANTS as readonly string[]).includes(tenant.toLowerCase());
