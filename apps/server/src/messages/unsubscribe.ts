import { unsubscribeOffer } from '@popgate/contracts';
import type { Db } from '../db/prisma';
import { invalid } from '../domain-errors';
import { postOneClickUnsubscribe, type OneClickOptions } from '../mail/one-click-post';
import { ownedMessage } from './owned';

/**
 * Unsubscribes from the list a message came from, the one-click way its sender offers
 * (RFC 8058); messages that offer only a mailto: or a web page are handled by the reader.
 */
export async function unsubscribeOneClick(
  prisma: Db,
  userId: string,
  id: string,
  options: OneClickOptions,
): Promise<{ host: string; status: number }> {
  const message = await ownedMessage(prisma, userId, id, { headers: true });
  const offer = unsubscribeOffer(message.headers as Array<[string, string]>);
  if (!offer?.oneClick)
    throw invalid('NO_ONE_CLICK', 'This message does not offer a one-click unsubscribe');
  const status = await postOneClickUnsubscribe(offer.oneClick, options);
  return { host: new URL(offer.oneClick).hostname, status };
}
