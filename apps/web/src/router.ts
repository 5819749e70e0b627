import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteMeta,
  type RouteRecordRaw,
  type RouteRecordSingleView,
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

type View = NonNullable<RouteRecordSingleView['component']>;

/** A page: its path, its name, its view (loaded when first visited) and what it is (meta). */
function page(path: string, name: string, view: View, meta?: RouteMeta): RouteRecordRaw {
  return meta ? { path, name, component: view, meta } : { path, name, component: view };
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/', redirect: { name: 'mail', params: { box: 'inbox' } } },
      page('/signin', 'signin', () => import('./views/SignInView.vue'), {
        guest: true,
        title: 'Sign in',
      }),
      page('/signup', 'signup', () => import('./views/SignUpView.vue'), {
        guest: true,
        title: 'Sign up',
      }),
      page('/sign-in/link', 'sign-in-link', () => import('./views/SignInLinkView.vue'), {
        open: true,
        title: 'Welcome',
      }),
      {
        path: '/',
        component: () => import('./components/layout/AppLayout.vue'),
        children: [
          page(
            'mail/:box(inbox|flagged|trash|sent)/:messageId?',
            'mail',
            () => import('./views/MailView.vue'),
          ),
          page(
            'mail/account/:accountId/:messageId?',
            'mail-account',
            () => import('./views/MailView.vue'),
          ),
          // An open conversation has its own address, as a message has (reload, back, links).
          page(
            'mail/:box(inbox|flagged|trash|sent)/conversation/:conversationId',
            'mail-conversation',
            () => import('./views/MailView.vue'),
          ),
          page(
            'mail/account/:accountId/conversation/:conversationId',
            'mail-account-conversation',
            () => import('./views/MailView.vue'),
          ),
          page('mail/drafts', 'drafts', () => import('./views/DraftsView.vue'), {
            title: 'Drafts',
          }),
          page('mail/outbox', 'outbox', () => import('./views/OutboxView.vue'), {
            title: 'Outbox',
          }),
          page('compose/:draftId?', 'compose', () => import('./views/ComposeView.vue'), {
            title: 'New message',
          }),
          page('accounts', 'accounts', () => import('./views/AccountsView.vue'), {
            title: 'Accounts',
          }),
          page('accounts/new', 'account-new', () => import('./views/AccountEditView.vue'), {
            title: 'Add an account',
          }),
          page('accounts/:accountId', 'account-edit', () => import('./views/AccountEditView.vue'), {
            title: 'Edit account',
          }),
          page('settings', 'settings', () => import('./views/SettingsView.vue'), {
            title: 'Settings',
          }),
          {
            path: 'admin',
            component: () => import('./components/admin/AdminLayout.vue'),
            meta: { admin: true },
            children: [
              { path: '', redirect: { name: 'admin-overview' } },
              page(
                'overview',
                'admin-overview',
                () => import('./views/admin/AdminOverviewView.vue'),
                {
                  title: 'Admin overview',
                },
              ),
              page('users', 'admin-users', () => import('./views/admin/AdminUsersView.vue'), {
                title: 'Users',
              }),
              page(
                'accounts',
                'admin-accounts',
                () => import('./views/admin/AdminAccountsView.vue'),
                {
                  title: 'Linked accounts',
                },
              ),
              page('policy', 'admin-policy', () => import('./views/admin/AdminPolicyView.vue'), {
                title: 'Policy',
              }),
              page('audit', 'admin-audit', () => import('./views/admin/AdminAuditView.vue'), {
                title: 'Audit log',
              }),
            ],
          },
          page(':unknown(.*)*', 'not-found', () => import('./views/NotFoundView.vue'), {
            title: 'Not found',
          }),
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

const MAIL_ROUTES = new Set([
  'mail',
  'mail-account',
  'mail-conversation',
  'mail-account-conversation',
]);

/** Whether a route shows a mailbox (its list, maybe a message or a conversation open). */
export function isMailRoute(route: Pick<RouteLocationNormalized, 'name'>): boolean {
  return typeof route.name === 'string' && MAIL_ROUTES.has(route.name);
}

/** The mailbox a mail route shows. */
export function mailboxOf(route: RouteLocationNormalized): Mailbox {
  if (route.name === 'mail-account' || route.name === 'mail-account-conversation') {
    return { kind: 'account', accountId: String(route.params.accountId) };
  }
  const box = String(route.params.box ?? 'inbox');
  return box === 'flagged' || box === 'trash' || box === 'sent' ? { kind: box } : { kind: 'inbox' };
}

/** The route of a mailbox, with a message open or not. */
export function mailboxRoute(mailbox: Mailbox, messageId?: string | null, query = {}) {
  const id = messageId ?? undefined;
  return mailbox.kind === 'account'
    ? { name: 'mail-account', params: { accountId: mailbox.accountId, messageId: id }, query }
    : { name: 'mail', params: { box: mailbox.kind, messageId: id }, query };
}

/** The route of a mailbox with a conversation open. */
export function conversationRoute(mailbox: Mailbox, conversationId: string, query = {}) {
  return mailbox.kind === 'account'
    ? {
        name: 'mail-account-conversation',
        params: { accountId: mailbox.accountId, conversationId },
        query,
      }
    : { name: 'mail-conversation', params: { box: mailbox.kind, conversationId }, query };
}

/** Safe to go back to after signing in: a path of this app, not another site. */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : null;
}
