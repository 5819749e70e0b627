import { ref } from 'vue';
import type { ListView } from '../lib/list-view';
import { useAccountsStore } from '../stores/accounts';
import { useUiStore } from '../stores/ui';

/**
 * The message list's refresh, as every mail client's "Get mail": the servers of the accounts in
 * view are asked to be checked now (new mail then arrives by events), and the list is reloaded.
 */
export function useGetMail(reload: () => Promise<unknown>) {
  const accounts = useAccountsStore();
  const ui = useUiStore();
  const busy = ref(false);

  async function getMail(view: ListView): Promise<void> {
    busy.value = true;
    try {
      const ids =
        view.mailbox.kind === 'account'
          ? [view.mailbox.accountId]
          : accounts.accounts.map((account) => account.id);
      await Promise.all([
        accounts.checkNow(ids).catch((error: unknown) => ui.error(error)),
        reload(),
      ]);
    } finally {
      busy.value = false;
    }
  }
  return { getMail, busy };
}
