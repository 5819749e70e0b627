import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type Router,
} from 'vue-router';
import type { Mailbox } from './lib/list-view';
import { useAuthStore } from './stores/auth';

declare module 'vue-router' {
  interface RouteMeta {
    /** Pages for people who are not signed in (sign-in, sign-up). */
    guest?: boolean;
    /** Pages for anyone, signed in or not (the landing page of a sign-in link). */
    open?: boolean;
    /** The admin console: admins only (the server refuses everyone else too). */
    admin?: boolean;
    title?: string;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', redirect: { name: 'mail', params: { box: 'inbox' } } },
      {
        path: '/signin',
        name: 'signin',
        component: () => import('./views/SignInView.vue'),
        meta: { guest: true, title: 'Sign in' },
      },
      {
        path: '/signup',
        name: 'signup',
        component: () => import('./views/SignUpView.vue'),
        meta: { guest: true, title: 'Sign up' },
      },
      {
        path: '/sign-in/link',
        name: 'sign-in-link',
        component: () => import('./views/SignInLinkView.vue'),
        meta: { open: true, title: 'Welcome' },
      },
      {
        path: '/',
        component: () => import('./components/layout/AppLayout.vue'),
        children: [
          {
            path: 'mail/:box(inbox|flagged|trash)/:messageId?',
            name: 'mail',
            component: () => import('./views/MailView.vue'),
          },
          {
            path: 'mail/account/:accountId/:messageId?',
            name: 'mail-account',
            component: () => import('./views/MailView.vue'),
          },
          {
            path: 'accounts',
            name: 'accounts',
            component: () => import('./views/AccountsView.vue'),
            meta: { title: 'Accounts' },
          },
          {
            path: 'accounts/new',
            name: 'account-new',
            component: () => import('./views/AccountEditView.vue'),
            meta: { title: 'Add an account' },
          },
          {
            path: 'accounts/:accountId',
            name: 'account-edit',
            component: () => import('./views/AccountEditView.vue'),
            meta: { title: 'Edit account' },
          },
          {
            path: 'settings',
            name: 'settings',
            component: () => import('./views/SettingsView.vue'),
            meta: { title: 'Settings' },
          },
          {
            path: 'admin',
            component: () => import('./components/admin/AdminLayout.vue'),
            meta: { admin: true },
            children: [
              { path: '', redirect: { name: 'admin-overview' } },
              {
                path: 'overview',
                name: 'admin-overview',
                component: () => import('./views/admin/AdminOverviewView.vue'),
                meta: { title: 'Admin overview' },
              },
              {
                path: 'users',
                name: 'admin-users',
                component: () => import('./views/admin/AdminUsersView.vue'),
                meta: { title: 'Users' },
              },
              {
                path: 'accounts',
                name: 'admin-accounts',
                component: () => import('./views/admin/AdminAccountsView.vue'),
                meta: { title: 'Linked accounts' },
              },
              {
                path: 'policy',
                name: 'admin-policy',
                component: () => import('./views/admin/AdminPolicyView.vue'),
                meta: { title: 'Policy' },
              },
              {
                path: 'audit',
                name: 'admin-audit',
                component: () => import('./views/admin/AdminAuditView.vue'),
                meta: { title: 'Audit log' },
              },
            ],
          },
          {
            path: ':unknown(.*)*',
            name: 'not-found',
            component: () => import('./views/NotFoundView.vue'),
            meta: { title: 'Not found' },
          },
        ],
      },
    ],
  });

  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    await auth.init();
    if (to.meta.open) return true;
    if (to.meta.guest) {
      return auth.signedIn ? { name: 'mail', params: { box: 'inbox' } } : true;
    }
    if (!auth.signedIn) {
      const next =
        to.fullPath === '/' || to.fullPath.startsWith('/mail/inbox') ? undefined : to.fullPath;
      return { name: 'signin', query: next ? { next } : {} };
    }
    if (to.meta.admin && !auth.isAdmin) {
      return { name: 'mail', params: { box: 'inbox' } };
    }
    return true;
  });

  return router;
}

/** The mailbox a mail route shows. */
export function mailboxOf(route: RouteLocationNormalized): Mailbox {
  if (route.name === 'mail-account') {
    return { kind: 'account', accountId: String(route.params.accountId) };
  }
  const box = String(route.params.box ?? 'inbox');
  return box === 'flagged' || box === 'trash' ? { kind: box } : { kind: 'inbox' };
}

/** The route of a mailbox, with a message open or not. */
export function mailboxRoute(mailbox: Mailbox, messageId?: string | null, query = {}) {
  const id = messageId ?? undefined;
  return mailbox.kind === 'account'
    ? { name: 'mail-account', params: { accountId: mailbox.accountId, messageId: id }, query }
    : { name: 'mail', params: { box: mailbox.kind, messageId: id }, query };
}

/** Safe to go back to after signing in: a path of this app, not another site. */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : null;
}
