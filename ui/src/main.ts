import { createApp } from 'vue'
import { getCurrentWindow } from '@tauri-apps/api/window'
// The theme's variables and base rules; each component's own styles come with the component
// (unplugin-element-plus, vite.config.ts). `v-loading` is a directive the plugin cannot see.
import 'element-plus/theme-chalk/base.css'
import 'element-plus/es/components/loading/style/css'
import './styles.css'
import { finishBeforeClose } from './lib/closing'
import { loadLabels } from './lib/labels'
import { em } from './state'

// Closing the window first writes what forms hold (their drafts); then the window goes.
getCurrentWindow()
  .onCloseRequested(() => finishBeforeClose())
  .catch((reason: unknown) => console.error('close guard not installed', reason))

// The labels come from the app (one table in Rust): load them before any screen is built.
loadLabels()
  .catch((reason: unknown) => console.error('labels not loaded', reason))
  .then(async () => {
    const [{ default: App }, { makeRouter }] = await Promise.all([import('./App.vue'), import('./router')])
    const app = createApp(App)
    app.config.globalProperties.$em = em
    app.use(makeRouter()).mount('#app')
  })
