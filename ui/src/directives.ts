import type { Directive } from 'vue'

function mark(el: HTMLElement, id: string): void {
  const input = el.matches('input, textarea') ? el : el.querySelector('input, textarea')
  ;(input ?? el).setAttribute('data-testid', id)
}

/**
 * `v-testid="'rc-channel'"` puts the test hook on the text input inside a select or date
 * picker (those components do not pass attributes to it), so a WebDriver test can click and
 * type into it as into a plain input.
 */
export const vTestid: Directive<HTMLElement, string> = {
  mounted: (el, { value }) => mark(el, value),
  updated: (el, { value }) => mark(el, value),
}
