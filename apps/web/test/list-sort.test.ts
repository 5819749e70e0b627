import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SortControl from '../src/components/mail/SortControl.vue';
import { belongsTo, compareFor, viewKey, viewQuery, type ListView } from '../src/lib/list-view';
import { item } from './support/factories';

const inbox: ListView = { mailbox: { kind: 'inbox' }, q: '', unread: false };

describe('sorting the list', () => {
  it('asks the server for the order, arrival being its default', () => {
    expect(viewQuery({ ...inbox, sort: 'size' })).toEqual({ sort: 'size' });
    expect(viewQuery({ ...inbox, sort: 'arrival' })).toEqual({});
    expect(viewQuery(inbox)).toEqual({});
    expect(viewKey({ ...inbox, sort: 'size' })).not.toBe(viewKey(inbox));
    expect(viewKey({ ...inbox, sort: 'arrival' })).toBe(viewKey(inbox));
  });

  it('puts rows where the server’s order puts them, ties by id', () => {
    const big = item({ id: 'b', size: 9000, from: { name: 'Zoë', address: 'z@x' } });
    const small = item({ id: 'a', size: 10, from: { name: '', address: 'alvaro@x' } });
    const tie = item({ id: 'c', size: 9000, from: { name: 'Álvaro', address: 'a@x' } });
    expect([small, big, tie].sort(compareFor('size')).map((row) => row.id)).toEqual([
      'c',
      'b',
      'a',
    ]);
    // Accents and case folded: Álvaro sorts with the a's, before the address alvaro@x.
    expect([big, small, tie].sort(compareFor('sender')).map((row) => row.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    const older = item({ id: 'o', date: '2026-01-01T00:00:00.000Z' });
    const newer = item({ id: 'n', date: '2026-06-01T00:00:00.000Z' });
    expect([older, newer].sort(compareFor('date')).map((row) => row.id)).toEqual(['n', 'o']);
  });

  it('leaves new mail out of a sorted list until it is loaded again (it may belong anywhere)', () => {
    const fresh = item({ id: 'new' });
    expect(belongsTo(inbox, fresh)).toBe(true);
    expect(belongsTo({ ...inbox, sort: 'size' }, fresh)).toBe(false);
  });

  it('offers the four orders and says a search comes best match first', async () => {
    const control = mount(SortControl, { props: { sort: 'arrival', searching: true } });
    expect(control.findAll('option').map((option) => option.text())).toEqual([
      'Best match first',
      'By date sent',
      'By sender',
      'Largest first',
    ]);
    await control.get('select').setValue('size');
    expect(control.emitted('update:sort')).toEqual([['size']]);
    await control.setProps({ searching: false });
    expect(control.get('option').text()).toBe('Newest first');
  });
});
