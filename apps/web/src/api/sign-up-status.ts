import type { SignUpStatus } from '@popgate/contracts';
import { api, type ApiClient } from './client';

/** Whether public sign-up is open here, and whether the next person becomes the admin. */
export function fetchSignUpStatus(client: ApiClient = api): Promise<SignUpStatus> {
  return client.get<SignUpStatus>('/api/auth/signup', { allowUnauthorized: true });
}
