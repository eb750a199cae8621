import { createApp } from 'vue'
import 'element-plus/dist/index.css'
import './styles.css'
import { loadLabels } from './lib/labels'
import { em } from './state'

// The labels come from the app (one table in Rust): load them before any screen is built.
loadLabels()
  .catch((reason: unknown) => console.error('labels not loaded', reason))
  .then(async () => {
    const [{ default: App }, { makeRouter }] = await Promise.all([import('./App.vue'), import('./router')])
    const app = createApp(App)
    app.config.globalProperties.$em = em
    app.use(makeRouter()).mount('#app')
  })
