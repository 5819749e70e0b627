import type { Address } from '@popgate/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { nextTick, ref } from 'vue';
import ComposeRecipients from '../src/components/compose/ComposeRecipients.vue';

function mountField(complete = vi.fn(async () => [] as Address[])) {
  const model = ref<Address[]>([]);
  const wrapper = mount(ComposeRecipients, {
    props: {
      id: 'compose-to',
      label: 'To',
      complete,
      modelValue: model.value,
      'onUpdate:modelValue': (value: Address[]) => {
        model.value = value;
        void wrapper.setProps({ modelValue: value });
      },
    },
    attachTo: document.body,
  });
  return { wrapper, model, complete, input: wrapper.get('input[role="combobox"]') };
}

describe('a recipient field', () => {
  it('makes a chip of an address closed by a comma', async () => {
    const { wrapper, model, input } = mountField();
    await input.setValue('bob@example.com,');
    await nextTick();
    expect(model.value).toEqual([{ name: '', address: 'bob@example.com' }]);
    expect(wrapper.findAll('[data-testid="recipient-chip"]')).toHaveLength(1);
    expect((input.element as HTMLInputElement).value).toBe('');
    wrapper.unmount();
  });

  it('splits a pasted list into chips', async () => {
    const { wrapper, model, input } = mountField();
    const clipboardData = { getData: () => 'A <a@x>, b@y' };
    await input.trigger('paste', { clipboardData });
    expect(model.value).toEqual([
      { name: 'A', address: 'a@x' },
      { name: '', address: 'b@y' },
    ]);
    wrapper.unmount();
  });

  it('shows an address that is not one in red, with why', async () => {
    const { wrapper, input } = mountField();
    await input.setValue('bob');
    await input.trigger('keydown', { key: 'Enter' });
    const chip = wrapper.get('[data-testid="recipient-chip"]');
    expect(chip.classes()).toContain('recipients__chip--invalid');
    expect(wrapper.get('[role="alert"]').text()).toBe(
      '“bob” is not an email address: it has no @.',
    );
    expect(input.attributes('aria-invalid')).toBe('true');
    wrapper.unmount();
  });

  it('completes from the user’s mail: arrows move, Enter picks', async () => {
    vi.useFakeTimers();
    const complete = vi.fn(async () => [
      { name: 'Bob Builder', address: 'bob@example.com' },
      { name: 'Bobby Tables', address: 'bobby@example.com' },
    ]);
    const { wrapper, model, input } = mountField(complete);
    await input.setValue('bo');
    await vi.advanceTimersByTimeAsync(200);
    await flushPromises();
    expect(complete).toHaveBeenCalledWith('bo', expect.any(AbortSignal));
    const options = wrapper.findAll('[role="option"]');
    expect(options.map((option) => option.get('.recipients__suggestion-address').text())).toEqual([
      'bob@example.com',
      'bobby@example.com',
    ]);
    await input.trigger('keydown', { key: 'ArrowDown' });
    expect(input.attributes('aria-activedescendant')).toBe('compose-to-suggestions-1');
    await input.trigger('keydown', { key: 'Enter' });
    expect(model.value).toEqual([{ name: 'Bobby Tables', address: 'bobby@example.com' }]);
    expect(wrapper.findAll('[role="option"]')).toHaveLength(0);
    vi.useRealTimers();
    wrapper.unmount();
  });

  it('takes the last chip back as text with Backspace in an empty field', async () => {
    const { wrapper, model, input } = mountField();
    await input.setValue('Jo <jo@example.com>');
    await input.trigger('keydown', { key: 'Enter' });
    await input.trigger('keydown', { key: 'Backspace' });
    expect(model.value).toEqual([]);
    expect((input.element as HTMLInputElement).value).toBe('Jo <jo@example.com>');
    wrapper.unmount();
  });
});
