import { describe, expect, it } from 'vitest';
import { describeDetails } from '../src/lib/audit-actions';

describe("an audit entry's details", () => {
  it('shows each change as from → to', () => {
    expect(
      describeDetails({
        minPollSeconds: { from: 60, to: 120 },
        allowedPorts: { from: [110, 995], to: [] },
      }),
    ).toBe('minPollSeconds: 60 → 120; allowedPorts: [110,995] → []');
  });

  it('leaves out fields a save did not change, as older entries listed them', () => {
    expect(
      describeDetails({
        signupOpen: { from: true, to: true },
        allowedHosts: { from: ['a.example'], to: ['a.example'] },
        requireTls: { from: false, to: true },
      }),
    ).toBe('requireTls: false → true');
  });

  it('shows other details as they are', () => {
    expect(describeDetails({ email: 'x@example.test', role: 'user' })).toBe(
      'email: x@example.test; role: user',
    );
  });
});
