import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick } from 'vue';
import VirtualList from '../src/components/base/VirtualList.vue';
import { scrollTopFor, virtualRange } from '../src/composables/useVirtualRange';

describe('the visible range of a virtual list', () => {
  it('covers the viewport plus the overscan', () => {
    expect(virtualRange(100_000, 76, 0, 760, 5)).toEqual({
      start: 0,
      end: 15,
      offset: 0,
      total: 7_600_000,
    });
    expect(virtualRange(100_000, 76, 76 * 500 + 10, 760, 5)).toEqual({
      start: 495,
      end: 516,
      offset: 495 * 76,
      total: 7_600_000,
    });
  });

  it('stays inside the list when scrolled past its end, and is empty for no rows', () => {
    const range = virtualRange(50, 10, 10_000, 100, 2);
    expect(range.end).toBe(50);
    expect(range.start).toBe(38);
    expect(virtualRange(0, 76, 0, 500, 5)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it('scrolls as little as needed to show a row', () => {
    expect(scrollTopFor(5, 10, 0, 100)).toBe(0);
    expect(scrollTopFor(20, 10, 0, 100)).toBe(110);
    expect(scrollTopFor(2, 10, 50, 100)).toBe(20);
  });
});

describe('VirtualList', () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: `m${i}`, text: `Row ${i}` }));
  type Row = (typeof rows)[number];

  function mountList(items: Row[], onNearEnd = () => {}) {
    const Host = defineComponent({
      setup() {
        return () =>
          h(
            VirtualList<Row>,
            {
              items,
              itemKey: (row: Row) => row.id,
              rowHeight: 50,
              overscan: 4,
              fallbackHeight: 500,
              label: 'Rows',
              onNearEnd,
            },
            { default: ({ item }: { item: Row }) => h('span', { class: 'text' }, item.text) },
          );
      },
    });
    return mount(Host, { attachTo: document.body });
  }

  it('renders a window of 100,000 rows, not all of them', async () => {
    const wrapper = mountList(rows);
    await nextTick();
    const rendered = wrapper.findAll('li');
    expect(rendered.length).toBeLessThan(30);
    expect(rendered[0]!.text()).toBe('Row 0');
    const list = wrapper.find('ul');
    expect(list.attributes('style')).toContain('height: 5000000px');
    expect(rendered[0]!.attributes('aria-setsize')).toBe('100000');
    expect(rendered[0]!.attributes('aria-posinset')).toBe('1');
    wrapper.unmount();
  });

  it('shows the rows under the scroll position', async () => {
    const wrapper = mountList(rows);
    const scroller = wrapper.find('.virtual-list').element as HTMLElement;
    scroller.scrollTop = 50 * 40_000;
    scroller.dispatchEvent(new Event('scroll'));
    await new Promise((resolve) => requestAnimationFrame(() => resolve(null)));
    await nextTick();
    const texts = wrapper.findAll('.text').map((row) => row.text());
    expect(texts).toContain('Row 40000');
    expect(texts).toContain('Row 40009');
    expect(texts).not.toContain('Row 0');
    expect(wrapper.find('li').attributes('aria-posinset')).toBe(String(40_000 - 4 + 1));
    wrapper.unmount();
  });

  it('asks for more when the end of a short list is in view', async () => {
    let asked = 0;
    const wrapper = mountList(rows.slice(0, 20), () => asked++);
    await nextTick();
    expect(asked).toBeGreaterThan(0);
    wrapper.unmount();
  });

  it('does not ask for more while far from the end', async () => {
    let asked = 0;
    const wrapper = mountList(rows, () => asked++);
    await nextTick();
    expect(asked).toBe(0);
    wrapper.unmount();
  });
});
