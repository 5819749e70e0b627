import { SignUpStatus } from '@popgate/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/**
 * Whether the sign-up form works here, for the sign-in and sign-up pages to say the truth: the
 * very first person always may (and becomes the admin); later ones only while an admin has
 * public sign-up open.
 */
export const signUpStatusRoute: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db;
  app.get(
    '/api/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary: 'Whether public sign-up is open, and whether the next user becomes the admin',
        response: { 200: SignUpStatus },
      },
    },
    async () => {
      const [anyUser, policy] = await Promise.all([
        prisma.user.findFirst({ select: { id: true } }),
        prisma.policy.findUniqueOrThrow({ where: { id: 1 }, select: { signupOpen: true } }),
      ]);
      return { open: !anyUser || policy.signupOpen, firstUser: !anyUser };
    },
  );
};
