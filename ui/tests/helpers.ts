import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Component } from 'vue'
import { routes } from '../src/router'
import { em } from '../src/state'

/** Mounts a screen with the app's routes, as it runs in the app, and waits for its data. */
export async function mountScreen(screen: Component, props: Record<string, unknown> = {}) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/')
  const wrapper = mount(screen, { props, global: { plugins: [router], mocks: { $em: em } }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

/** Waits (up to 3 s) until `ready` holds: for lazily loaded screens. */
export async function until(ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 20) {
    if (waited > 3000) throw new Error('timed out waiting for the screen')
    await new Promise((resolve) => setTimeout(resolve, 20))
    await flushPromises()
  }
}
