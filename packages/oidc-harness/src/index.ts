export { startOidcProvider } from './start-provider';
export type {
  OidcProviderHarness,
  OidcTestUser,
  StartOidcProviderOptions,
  TokenEndpointCounts,
} from './start-provider';
export { CookieJar, completeAuthorization } from './interaction-driver';
export type { AuthorizeOptions } from './interaction-driver';
